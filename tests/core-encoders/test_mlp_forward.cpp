// core.mlp forward() against a double-precision reference, and its batch norm the way PyTorch
// runs it: batch statistics in training mode, running statistics (momentum update, unbiased
// variance) in eval mode, where every row is computed independently of the rest of the batch.
#include "mlp_harness.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

using namespace idlab::test;

namespace {

double max_abs_difference(const std::vector<float>& a, const std::vector<double>& b) {
    REQUIRE(a.size() == b.size());
    double m = 0.0;
    for (size_t i = 0; i < a.size(); ++i) m = std::max(m, std::abs(static_cast<double>(a[i]) - b[i]));
    return m;
}

std::vector<float> rows_of(const std::vector<float>& m, int64_t width, int64_t first, int64_t count) {
    return std::vector<float>(m.begin() + first * width, m.begin() + (first + count) * width);
}

}  // namespace

TEST_CASE("core.mlp training forward matches a double-precision reference", "[core-encoders][forward]") {
    MlpSetup setup;
    setup.in_dim = 5;
    setup.hidden = {12, 9, 7};
    setup.out_dim = 5;
    setup.batch_norm = GENERATE(true, false);
    setup.normalize_output = GENERATE(false, true);
    setup.eps = GENERATE(1e-5, 0.5);  // a large eps makes its place in the formula visible
    INFO("batch_norm = " << setup.batch_norm << ", normalize_output = " << setup.normalize_output
                         << ", eps = " << setup.eps);
    auto mlp = make_mlp(setup);
    const int64_t batch = 32;
    const std::vector<float> x = normal_values(batch * setup.in_dim, 1);
    const std::vector<float> f = run_forward(*mlp, x, batch, setup.in_dim, true);
    CHECK(max_abs_difference(f, reference_forward(*mlp, setup, x, batch, true)) < 1e-4);
}

TEST_CASE("core.mlp running statistics follow PyTorch's update", "[core-encoders][forward]") {
    // running = (1 - momentum) running + momentum * batch statistic, with the batch mean of the
    // pre-normalisation activations (bias included) and their unbiased variance; the initial
    // values are mean 0, variance 1.
    MlpSetup setup;
    setup.in_dim = 4;
    setup.hidden = {10, 6};
    setup.momentum = GENERATE(0.1, 0.3);
    INFO("momentum = " << setup.momentum);
    auto mlp = make_mlp(setup);
    REQUIRE(mlp->hidden_count() == 2);

    std::vector<std::vector<double>> mean(2), var(2);
    for (size_t i = 0; i < 2; ++i) {
        mean[i].assign(static_cast<size_t>(setup.hidden[i]), 0.0);
        var[i].assign(static_cast<size_t>(setup.hidden[i]), 1.0);
        for (size_t c = 0; c < mean[i].size(); ++c) {
            CHECK(mlp->running_mean(i)[c] == 0.0f);
            CHECK(mlp->running_var(i)[c] == 1.0f);
        }
    }
    const int64_t batches[] = {8, 16, 5};
    uint64_t seed = 40;
    for (int64_t batch : batches) {
        // Shifted, scaled inputs so that the statistics are far from their initial values.
        std::vector<float> x = normal_values(batch * setup.in_dim, ++seed, 3.0);
        for (float& v : x) v += 2.0f;
        std::vector<BatchStats> stats;
        reference_forward(*mlp, setup, x, batch, true, &stats);
        run_forward(*mlp, x, batch, setup.in_dim, true);
        for (size_t i = 0; i < 2; ++i) {
            for (size_t c = 0; c < mean[i].size(); ++c) {
                mean[i][c] = (1.0 - setup.momentum) * mean[i][c] + setup.momentum * stats[i].mean[c];
                var[i][c] = (1.0 - setup.momentum) * var[i][c] + setup.momentum * stats[i].unbiased_var[c];
                INFO("after batch " << batch << ", layer " << i << ", channel " << c);
                CHECK(mlp->running_mean(i)[c] == Approx(mean[i][c]).epsilon(1e-5).margin(1e-6));
                CHECK(mlp->running_var(i)[c] == Approx(var[i][c]).epsilon(1e-5));
            }
        }
    }
}

TEST_CASE("core.mlp eval mode uses the running statistics", "[core-encoders][forward]") {
    MlpSetup setup;
    setup.in_dim = 4;
    setup.hidden = {10, 8};
    setup.normalize_output = GENERATE(false, true);
    setup.eps = GENERATE(1e-5, 0.5);
    INFO("normalize_output = " << setup.normalize_output << ", eps = " << setup.eps);
    auto mlp = make_mlp(setup);
    for (uint64_t step = 0; step < 5; ++step) {
        std::vector<float> x = normal_values(16 * setup.in_dim, 60 + step, 2.0);
        for (float& v : x) v -= 1.0f;
        run_forward(*mlp, x, 16, setup.in_dim, true);
    }
    const std::vector<float> mean_before = mlp->running_mean(0);
    const std::vector<float> var_before = mlp->running_var(1);

    const int64_t batch = 24;
    const std::vector<float> x = normal_values(batch * setup.in_dim, 99);
    const std::vector<float> eval = run_forward(*mlp, x, batch, setup.in_dim, false);
    CHECK(max_abs_difference(eval, reference_forward(*mlp, setup, x, batch, false)) < 1e-4);
    // Eval mode reads the statistics and leaves them alone.
    CHECK(mlp->running_mean(0) == mean_before);
    CHECK(mlp->running_var(1) == var_before);
    // ... and differs from normalising with this batch's own statistics.
    CHECK(max_abs_difference(eval, reference_forward(*mlp, setup, x, batch, true)) > 1e-2);
}

TEST_CASE("core.mlp eval mode does not depend on the batch composition", "[core-encoders][forward]") {
    MlpSetup setup;
    setup.in_dim = 5;
    setup.hidden = {16, 16};
    setup.out_dim = 3;
    setup.batch_norm = GENERATE(true, false);
    INFO("batch_norm = " << setup.batch_norm);
    auto mlp = make_mlp(setup);
    for (uint64_t step = 0; step < 3; ++step)
        run_forward(*mlp, normal_values(32 * setup.in_dim, 70 + step), 32, setup.in_dim, true);

    const int64_t batch = 40, out = setup.out_dim;
    const std::vector<float> x = normal_values(batch * setup.in_dim, 71);
    const std::vector<float> full = run_forward(*mlp, x, batch, setup.in_dim, false);

    SECTION("a slice of the batch") {
        const std::vector<float> part =
            run_forward(*mlp, rows_of(x, setup.in_dim, 7, 9), 9, setup.in_dim, false);
        const std::vector<float> expected = rows_of(full, out, 7, 9);
        for (size_t i = 0; i < part.size(); ++i) REQUIRE(part[i] == Approx(expected[i]).margin(1e-6));
    }
    SECTION("one row at a time") {
        for (int64_t r = 0; r < batch; ++r) {
            const std::vector<float> one = run_forward(*mlp, rows_of(x, setup.in_dim, r, 1), 1, setup.in_dim, false);
            for (int64_t c = 0; c < out; ++c) REQUIRE(one[c] == Approx(full[r * out + c]).margin(1e-6));
        }
    }
    SECTION("the rows in reverse order") {
        std::vector<float> reversed;
        for (int64_t r = batch - 1; r >= 0; --r) {
            const std::vector<float> row = rows_of(x, setup.in_dim, r, 1);
            reversed.insert(reversed.end(), row.begin(), row.end());
        }
        const std::vector<float> f = run_forward(*mlp, reversed, batch, setup.in_dim, false);
        for (int64_t r = 0; r < batch; ++r)
            for (int64_t c = 0; c < out; ++c)
                REQUIRE(f[(batch - 1 - r) * out + c] == Approx(full[r * out + c]).margin(1e-6));
    }
}

TEST_CASE("core.mlp training mode with batch norm normalises over the batch", "[core-encoders][forward]") {
    // The same row gives another output in another training batch, and no other output in
    // eval mode.
    MlpSetup setup;
    auto mlp = make_mlp(setup);
    const std::vector<float> x = normal_values(16 * setup.in_dim, 80);
    const std::vector<float> small = run_forward(*mlp, rows_of(x, setup.in_dim, 0, 4), 4, setup.in_dim, true);
    const std::vector<float> large = run_forward(*mlp, x, 16, setup.in_dim, true);
    double diff = 0.0;
    for (int64_t c = 0; c < setup.out_dim; ++c) diff += std::abs(small[c] - large[c]);
    CHECK(diff > 1e-3);
}

TEST_CASE("core.mlp without batch norm gives the same output in both modes", "[core-encoders][forward]") {
    MlpSetup setup;
    setup.batch_norm = false;
    auto mlp = make_mlp(setup);
    CHECK(mlp->running_mean(0).empty());
    const std::vector<float> x = normal_values(12 * setup.in_dim, 81);
    const std::vector<float> train = run_forward(*mlp, x, 12, setup.in_dim, true);
    const std::vector<float> eval = run_forward(*mlp, x, 12, setup.in_dim, false);
    for (size_t i = 0; i < train.size(); ++i) REQUIRE(eval[i] == Approx(train[i]).margin(1e-6));
}
