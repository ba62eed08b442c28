// Times the encoder part of one training step at the paper's sizes: core.mlp forward and
// backward (batch 1024, 5 -> 50 -> 250 x4 -> 50 -> 5, BatchNorm1d + LeakyReLU) and one core.adam
// update of its parameters, next to the same GEMMs called bare (the floor the element-wise
// kernels add to). Prints one JSON object per line.
// usage: bench_mlp_step [THREADS...]   (default: 1 2)
// THREADS plays run.threads: OpenBLAS gets that many threads and core.mlp and core.adam get a
// team of that size (which runs OpenBLAS single-threaded inside). The bare GEMMs run with
// OpenBLAS at THREADS threads.
#include "adam.hpp"
#include "dense.hpp"
#include "mlp.hpp"

#include <idlab/plugin.h>
#include <idlab/plugin.hpp>

#include <cblas.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <deque>
#include <random>
#include <string>
#include <vector>

namespace {

constexpr int64_t kBatch = 1024;
constexpr int64_t kInDim = 5;
constexpr int64_t kOutDim = 5;
const std::vector<int64_t> kHidden = {50, 250, 250, 250, 250, 50};

// A config with just the given entries, laid out the way the host passes a validated one.
class BenchConfig {
public:
    BenchConfig& add_int_list(const char* key, const std::vector<int64_t>& values) {
        lists_.push_back(values);
        idlab_config_entry_t& e = add(key, IDLAB_PARAM_INT_LIST);
        e.int_list = lists_.back().data();
        e.list_length = values.size();
        return *this;
    }
    BenchConfig& add_int(const char* key, int64_t value) {
        add(key, IDLAB_PARAM_INT).int_value = value;
        return *this;
    }
    BenchConfig& add_bool(const char* key, bool value) {
        add(key, IDLAB_PARAM_BOOL).bool_value = value;
        return *this;
    }
    BenchConfig& add_float(const char* key, double value) {
        add(key, IDLAB_PARAM_FLOAT).float_value = value;
        return *this;
    }
    idlab::Config get() {
        config_.struct_size = sizeof(idlab_config_t);
        config_.entry_count = static_cast<uint32_t>(entries_.size());
        config_.entries = entries_.data();
        return idlab::Config(&config_);
    }

private:
    idlab_config_entry_t& add(const char* key, int32_t type) {
        idlab_config_entry_t e{};
        e.key = key;
        e.type = type;
        entries_.push_back(e);
        return entries_.back();
    }
    std::deque<std::vector<int64_t>> lists_;  // a deque keeps the lists where they are
    std::vector<idlab_config_entry_t> entries_;
    idlab_config_t config_{};
};

DLTensor matrix_view(float* data, int64_t* shape) {
    DLTensor t{};
    t.data = data;
    t.device = DLDevice{kDLCPU, 0};
    t.ndim = 2;
    t.dtype = DLDataType{kDLFloat, 32, 1};
    t.shape = shape;
    return t;
}

double process_cpu_ms() {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return 1e3 * static_cast<double>(t.tv_sec) + 1e-6 * static_cast<double>(t.tv_nsec);
}

double median(std::vector<double> v) {
    std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
    return v[v.size() / 2];
}

// Median wall-clock and process CPU time of one call, in milliseconds.
struct Timing {
    double wall_ms = 0.0, cpu_ms = 0.0;
};

// Calls step() for at least min_seconds (after a warm-up). On a shared machine the median
// ignores the calls another process interrupted, and the CPU time (all threads of this process)
// shows what a call costs when it is not waiting for a core.
template <class F>
Timing time_calls(F&& step, double min_seconds = 1.5) {
    for (int i = 0; i < 5; ++i) step();
    std::vector<double> wall, cpu;
    const auto start = std::chrono::steady_clock::now();
    while (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() <
               min_seconds ||
           wall.size() < 10) {
        const auto t0 = std::chrono::steady_clock::now();
        const double c0 = process_cpu_ms();
        step();
        cpu.push_back(process_cpu_ms() - c0);
        wall.push_back(
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    return Timing{median(wall), median(cpu)};
}

// Multiply-adds of one forward pass for one sample: the sum of in * out over the Linear layers.
int64_t macs_per_sample() {
    int64_t macs = 0, prev = kInDim;
    for (int64_t w : kHidden) {
        macs += prev * w;
        prev = w;
    }
    return macs + prev * kOutDim;
}

void bench(int threads) {
    openblas_set_num_threads(threads);

    idlab_create_ctx_t create{};
    create.struct_size = sizeof(idlab_create_ctx_t);
    create.device = DLDevice{kDLCPU, 0};
    create.seed = 1;
    create.stage = "encoder";
    create.input_dim = kInDim;
    create.threads = static_cast<uint32_t>(threads);
    BenchConfig mlp_config;
    mlp_config.add_int_list("hidden", kHidden)
        .add_int("out_dim", kOutDim)
        .add_bool("batch_norm", true)
        .add_float("negative_slope", 0.01)
        .add_bool("normalize_output", false)
        .add_float("bn_momentum", 0.1)
        .add_float("bn_eps", 1e-5);
    idlab::core::Mlp mlp(idlab::CreateContext(&create), mlp_config.get());

    create.stage = "optimizer";
    create.input_dim = 0;
    BenchConfig adam_config;
    adam_config.add_float("lr", 1e-3)
        .add_float("beta1", 0.9)
        .add_float("beta2", 0.999)
        .add_float("eps", 1e-8)
        .add_float("weight_decay", 0.0);
    idlab::core::Adam adam(idlab::CreateContext(&create), adam_config.get());
    std::vector<idlab_param_view_t> params;
    for (uint32_t i = 0; i < mlp.parameter_count(); ++i) params.push_back(mlp.parameter(i));
    adam.bind(params.data(), static_cast<uint32_t>(params.size()));

    std::mt19937 gen(7);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::vector<float> x(kBatch * kInDim), features(kBatch * kOutDim), dfeatures(kBatch * kOutDim);
    for (float& v : x) v = normal(gen);
    for (float& v : dfeatures) v = 1e-3f * normal(gen);
    int64_t xshape[2] = {kBatch, kInDim}, fshape[2] = {kBatch, kOutDim};
    DLTensor xt = matrix_view(x.data(), xshape);
    DLTensor ft = matrix_view(features.data(), fshape);
    DLTensor dft = matrix_view(dfeatures.data(), fshape);
    idlab_exec_ctx_t ctx{};
    ctx.struct_size = sizeof(idlab_exec_ctx_t);
    ctx.device = DLDevice{kDLCPU, 0};
    ctx.training = 1;

    const Timing forward = time_calls([&] { mlp.forward(ctx, xt, ft); });
    const Timing backward = time_calls([&] { mlp.backward(ctx, dft, nullptr); });
    const Timing update = time_calls([&] { adam.step(ctx); });
    const Timing step = time_calls([&] {
        mlp.forward(ctx, xt, ft);
        mlp.backward(ctx, dft, nullptr);
        adam.step(ctx);
    });

    // The same GEMMs alone: forward y = x W^T, backward dW = dy^T x and dx = dy W (no dx for
    // the first layer, as in training).
    std::vector<int64_t> widths = {kInDim};
    widths.insert(widths.end(), kHidden.begin(), kHidden.end());
    widths.push_back(kOutDim);
    const int64_t widest = *std::max_element(widths.begin(), widths.end());
    std::vector<float> a(kBatch * widest, 0.5f), b(kBatch * widest, 0.25f), w(widest * widest, 0.1f);
    const Timing gemm = time_calls([&] {
        for (size_t l = 0; l + 1 < widths.size(); ++l) {
            const int64_t in = widths[l], out = widths[l + 1];
            const idlab::Span rows{0, kBatch};
            idlab::core::linear_forward(a.data(), w.data(), in, out, rows, b.data());
            idlab::core::linear_grad_weight(b.data(), a.data(), in, out, rows, w.data());
            if (l > 0) idlab::core::linear_grad_input(b.data(), w.data(), in, out, rows, a.data());
        }
    });

    // Forward 2 B macs, backward 2 B macs for dW plus 2 B macs for dx (not for the first layer).
    const double flops = 2.0 * kBatch * (3.0 * macs_per_sample() - kInDim * kHidden.front());
    std::printf("{\"bench\": \"mlp_step\", \"batch\": %lld, \"threads\": %d, "
                "\"forward_ms\": %.3f, \"backward_ms\": %.3f, \"adam_ms\": %.3f, "
                "\"step_ms\": %.3f, \"step_cpu_ms\": %.3f, \"gemm_only_ms\": %.3f, "
                "\"gemm_only_cpu_ms\": %.3f, \"gflop_per_step\": %.4f, \"step_gflops\": %.1f, "
                "\"gemm_gflops\": %.1f}\n",
                static_cast<long long>(kBatch), threads, forward.wall_ms, backward.wall_ms,
                update.wall_ms, step.wall_ms, step.cpu_ms, gemm.wall_ms, gemm.cpu_ms, flops / 1e9,
                flops / step.wall_ms / 1e6, flops / gemm.wall_ms / 1e6);
    std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<int> threads;
    for (int i = 1; i < argc; ++i) threads.push_back(std::atoi(argv[i]));
    if (threads.empty()) threads = {1, 2};
    for (int t : threads) bench(t);
    return 0;
}
