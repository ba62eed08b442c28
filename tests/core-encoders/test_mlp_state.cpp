// core.mlp's state for checkpoints: the batch-norm running statistics are exposed through
// idlab.state/1, and writing a saved copy back (with the parameters) gives the same
// evaluation and the same later training as never stopping: save, perturb, restore, equal.
#include "mlp_harness.hpp"
#include "support/component_state.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using idlab::test::MlpSetup;

TEST_CASE("core.mlp exposes every batch norm's running statistics as state", "[core-encoders][state]") {
    MlpSetup s;
    auto mlp = idlab::test::make_mlp(s);
    CHECK(idlab::test::state_names(*mlp) ==
          std::vector<std::string>{"bn0.running_mean", "bn0.running_var", "bn1.running_mean", "bn1.running_var"});
    for (uint32_t i = 0; i < mlp->state_count(); ++i) {
        const DLTensor& t = mlp->state(i).tensor;
        REQUIRE(t.ndim == 1);
        CHECK(t.shape[0] == s.hidden[i / 2]);
        CHECK(t.dtype.code == kDLFloat);
        CHECK(t.dtype.bits == 32);
    }
    // The views are the statistics themselves, not copies.
    const std::vector<float> x = idlab::test::normal_values(8 * s.in_dim, 3);
    idlab::test::run_forward(*mlp, x, 8, s.in_dim, true);
    CHECK(static_cast<const float*>(mlp->state(2).tensor.data)[0] == mlp->running_mean(1)[0]);
    CHECK(mlp->running_mean(1)[0] != 0.0f);

    SECTION("without batch norm there is no state") {
        s.batch_norm = false;
        CHECK(idlab::test::make_mlp(s)->state_count() == 0);
    }
}

TEST_CASE("core.mlp restored from its parameters and state evaluates and trains as before", "[core-encoders][state]") {
    MlpSetup s;
    auto mlp = idlab::test::make_mlp(s);
    const int64_t rows = 16;
    const std::vector<float> x1 = idlab::test::normal_values(rows * s.in_dim, 1);
    const std::vector<float> x2 = idlab::test::normal_values(rows * s.in_dim, 2);
    idlab::test::run_forward(*mlp, x1, rows, s.in_dim, true);  // moves the running statistics
    const idlab::test::ComponentSnapshot saved = idlab::test::take(*mlp);
    const std::vector<float> eval = idlab::test::run_forward(*mlp, x2, rows, s.in_dim, false);
    const std::vector<float> train = idlab::test::run_forward(*mlp, x2, rows, s.in_dim, true);
    const std::vector<float> eval_after_train = idlab::test::run_forward(*mlp, x2, rows, s.in_dim, false);
    REQUIRE(eval_after_train != eval);  // training moved the statistics: the check below can fail

    idlab::test::scribble(*mlp);
    idlab::test::restore(*mlp, saved);
    CHECK(idlab::test::run_forward(*mlp, x2, rows, s.in_dim, false) == eval);
    CHECK(idlab::test::run_forward(*mlp, x2, rows, s.in_dim, true) == train);
    CHECK(idlab::test::run_forward(*mlp, x2, rows, s.in_dim, false) == eval_after_train);
}
