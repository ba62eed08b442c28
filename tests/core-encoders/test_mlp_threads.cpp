// core.mlp with a team of threads against the same network on one thread: training forward,
// backward (every parameter gradient and dx), running statistics and an evaluation forward, at
// widths the thread counts do not divide, batches smaller than the team, and more threads than
// the machine has cores.
//
// Everything summed over the batch goes through per-block sums that do not depend on the team;
// the products do: sgemm runs on each member's rows, and the weight gradient's sum over the batch
// is cut into one part per member. So the comparison allows float rounding: relative to the
// largest magnitude of each tensor, kTolerance.
#include "mlp_harness.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <thread>
#include <vector>

using namespace idlab::test;

namespace {

constexpr double kTolerance = 1e-5;

// What one pass gives, tensor by tensor.
struct Outputs {
    std::vector<std::string> names;
    std::vector<std::vector<float>> values;

    void add(const std::string& name, const float* p, size_t n) {
        names.push_back(name);
        values.emplace_back(p, p + n);
    }
};

Outputs run_pass(const MlpSetup& setup, int64_t batch) {
    auto mlp = make_mlp(setup);
    Outputs out;
    // Two training steps' worth of passes (a larger batch first, so buffers are reused), then
    // an evaluation pass with the running statistics they left.
    for (int64_t rows : {batch + 3, batch}) {
        const std::vector<float> x = normal_values(static_cast<size_t>(rows * setup.in_dim), 11 + rows);
        const std::vector<float> r = normal_values(static_cast<size_t>(rows * setup.out_dim), 13 + rows);
        OwnedTensor<float> xt = tensor_from(x, rows, setup.in_dim);
        OwnedTensor<float> ft({rows, setup.out_dim});
        OwnedTensor<float> rt = tensor_from(r, rows, setup.out_dim);
        OwnedTensor<float> dxt({rows, setup.in_dim});
        DLTensor xv = xt.view(), fv = ft.view(), rv = rt.view(), dxv = dxt.view();
        mlp->forward(mlp_exec_ctx(true), xv, fv);
        mlp->backward(mlp_exec_ctx(true), rv, &dxv);
        const std::string at = " (batch " + std::to_string(rows) + ")";
        out.add("features" + at, ft.data(), ft.size());
        out.add("dx" + at, dxt.data(), dxt.size());
        for (uint32_t p = 0; p < mlp->parameter_count(); ++p) {
            const idlab_param_view_t& view = mlp->parameter(p);
            out.add(std::string(view.name) + ".grad" + at, static_cast<const float*>(view.grad.data),
                    static_cast<size_t>(element_count(view.grad)));
        }
    }
    for (size_t i = 0; i < mlp->hidden_count(); ++i) {
        out.add("running_mean" + std::to_string(i), mlp->running_mean(i).data(), mlp->running_mean(i).size());
        out.add("running_var" + std::to_string(i), mlp->running_var(i).data(), mlp->running_var(i).size());
    }
    const std::vector<float> x = normal_values(static_cast<size_t>(batch * setup.in_dim), 17);
    const std::vector<float> eval = run_forward(*mlp, x, batch, setup.in_dim, false);
    out.add("eval features", eval.data(), eval.size());
    return out;
}

// The Linear bias before a batch norm cancels in the normalisation: its gradient is zero up to
// rounding, so what both runs report is rounding noise, compared in absolute terms.
bool rounding_noise(const MlpSetup& setup, const std::string& name) {
    return setup.batch_norm && name.rfind("layer", 0) == 0 &&
           name.find(".bias.grad") != std::string::npos;
}

void require_agreement(const MlpSetup& setup, const Outputs& one, const Outputs& many) {
    REQUIRE(one.names == many.names);
    for (size_t t = 0; t < one.values.size(); ++t) {
        const std::vector<float>& a = one.values[t];
        const std::vector<float>& b = many.values[t];
        REQUIRE(a.size() == b.size());
        double scale = 0.0, diff = 0.0;
        for (size_t i = 0; i < a.size(); ++i) {
            scale = std::max(scale, static_cast<double>(std::abs(a[i])));
            diff = std::max(diff, static_cast<double>(std::abs(a[i] - b[i])));
        }
        INFO(one.names[t] << ": largest difference " << diff << " at magnitude " << scale);
        if (rounding_noise(setup, one.names[t]))
            CHECK(diff <= 1e-4);
        else
            CHECK(diff <= kTolerance * std::max(scale, 1e-30));
    }
}

}  // namespace

TEST_CASE("core.mlp gives the same results on a team of threads as on one", "[core-encoders][threads]") {
    MlpSetup setup;
    setup.in_dim = 5;
    setup.hidden = {37, 61, 50, 9};  // widths 2, 3 and 4 do not divide
    setup.out_dim = 5;
    setup.batch_norm = GENERATE(true, false);
    setup.normalize_output = GENERATE(false, true);
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    const uint32_t threads = GENERATE_COPY(2u, 3u, 2 * cores + 1);  // the last: more than the cores
    INFO("batch_norm = " << setup.batch_norm << ", normalize_output = " << setup.normalize_output
                         << ", threads = " << threads);
    const int64_t batch = 300;  // 5 row blocks (the last one short): uneven parts for 2 and 3
    const Outputs one = run_pass(setup, batch);
    setup.threads = threads;
    require_agreement(setup, one, run_pass(setup, batch));
}

TEST_CASE("core.mlp on a team larger than the batch and than some layers", "[core-encoders][threads]") {
    // Batch 2 on 5 threads: one row block, so four members get no rows (and no part of the
    // weight gradients); the widths 3 and 2 leave members without channels when the gradients
    // are summed.
    MlpSetup setup;
    setup.in_dim = 2;
    setup.hidden = {3, 8};
    setup.out_dim = 2;
    setup.normalize_output = GENERATE(false, true);
    INFO("normalize_output = " << setup.normalize_output);
    const Outputs one = run_pass(setup, 2);
    setup.threads = 5;
    require_agreement(setup, one, run_pass(setup, 2));
}

TEST_CASE("core.mlp on a team, run after run, gives identical bits", "[core-encoders][threads]") {
    MlpSetup setup;
    setup.hidden = {50, 250, 50};
    setup.in_dim = 5;
    setup.out_dim = 5;
    setup.threads = 2;
    const Outputs a = run_pass(setup, 256);
    const Outputs b = run_pass(setup, 256);
    REQUIRE(a.names == b.names);
    for (size_t t = 0; t < a.values.size(); ++t) {
        INFO(a.names[t]);
        CHECK(a.values[t] == b.values[t]);
    }
}
