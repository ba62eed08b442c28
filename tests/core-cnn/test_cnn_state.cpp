// core.cnn's state for checkpoints: every BatchNorm2d's running statistics are exposed through
// idlab.state/1 under torchvision's names, and writing a saved copy back (with the parameters)
// gives the same evaluation and training as never stopping: save, perturb, restore, equal.
#include "cnn_harness.hpp"
#include "support/component_state.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace idlab::test;

TEST_CASE("core.cnn exposes every batch norm's running statistics as state", "[core-cnn][state]") {
    CnnSetup s;  // stem, one block per stage, the second with a downsample
    auto cnn = make_cnn(s);
    CHECK(state_names(*cnn) ==
          std::vector<std::string>{"bn1.running_mean", "bn1.running_var",
                                   "layer1.0.bn1.running_mean", "layer1.0.bn1.running_var",
                                   "layer1.0.bn2.running_mean", "layer1.0.bn2.running_var",
                                   "layer2.0.bn1.running_mean", "layer2.0.bn1.running_var",
                                   "layer2.0.bn2.running_mean", "layer2.0.bn2.running_var",
                                   "layer2.0.downsample.1.running_mean", "layer2.0.downsample.1.running_var"});
    CHECK(cnn->state(0).tensor.shape[0] == 4);
    CHECK(cnn->state(11).tensor.shape[0] == 8);

    SECTION("without batch norm there is no state") {
        s.batch_norm = false;
        CHECK(make_cnn(s)->state_count() == 0);
    }
}

TEST_CASE("core.cnn restored from its parameters and state evaluates and trains as before", "[core-cnn][state]") {
    CnnSetup s;
    auto cnn = make_cnn(s);
    const int64_t rows = 4;
    const std::vector<float> x1 = normal_values(static_cast<size_t>(rows * s.input_dim()), 1);
    const std::vector<float> x2 = normal_values(static_cast<size_t>(rows * s.input_dim()), 2);
    run_forward(*cnn, x1, rows, true);  // moves the running statistics
    const ComponentSnapshot saved = take(*cnn);
    const std::vector<float> eval = run_forward(*cnn, x2, rows, false);
    const std::vector<float> train = run_forward(*cnn, x2, rows, true);
    const std::vector<float> eval_after_train = run_forward(*cnn, x2, rows, false);
    REQUIRE(eval_after_train != eval);  // training moved the statistics: the check below can fail

    scribble(*cnn);
    restore(*cnn, saved);
    CHECK(run_forward(*cnn, x2, rows, false) == eval);
    CHECK(run_forward(*cnn, x2, rows, true) == train);
    CHECK(run_forward(*cnn, x2, rows, false) == eval_after_train);
}
