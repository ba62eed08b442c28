// Times the phases of one training step with the real CPU components at the paper's default
// sizes, in one process, the way the host's loop runs them with run.threads = T: core.vmf_clusters
// draws the batch (d = 5, 100 clusters, 1000 instances), core.mlp (5 -> 50 -> 250 x4 -> 50 -> 5)
// runs forward, core.cross_entropy (DIET: 1000 head rows; supervised: 100) its forward and
// backward, core.mlp backward, core.adam one update. Every component gets a team of T threads
// and OpenBLAS gets T threads, as with `idlab run ... run.threads=T` (the batch is drawn in
// place, as the host does for T > 1; for T = 1 the host draws it ahead on a helper thread, so
// there "sample" is not on the step's path).
//
// usage: bench_train_step [THREADS...]        (default: 1 2; env STEPS, default 300)
// Prints one JSON object per recipe and T: the median wall time of each phase and of the whole
// step in ms, the process CPU time per step (all threads: with T threads ideally T times the
// wall time), and steps per second from the median step and from the mean step (the mean is what
// `idlab run` reports: steps over time; on a shared machine a few slow steps pull it down).
#include "adam.hpp"
#include "cross_entropy.hpp"
#include "mlp.hpp"
#include "vmf_clusters.hpp"

#include "support/config_builder.hpp"

#include <idlab/plugin.h>
#include <idlab/plugin.hpp>

#include <cblas.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

namespace {

using idlab::test::ConfigBuilder;
using Clock = std::chrono::steady_clock;

constexpr int64_t kBatch = 1024;
constexpr int64_t kDim = 5;

double process_cpu_ms() {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return 1e3 * static_cast<double>(t.tv_sec) + 1e-6 * static_cast<double>(t.tv_nsec);
}

double ms_since(Clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

double median(std::vector<double> v) {
    std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
    return v[v.size() / 2];
}

idlab_create_ctx_t create_ctx(const char* stage, uint32_t threads, int64_t input_dim,
                              const std::vector<idlab_field_desc_t>& fields) {
    idlab_create_ctx_t c{};
    c.struct_size = sizeof c;
    c.device = DLDevice{kDLCPU, 0};
    c.seed = 1;
    c.stage = stage;
    c.field_count = static_cast<uint32_t>(fields.size());
    c.fields = fields.empty() ? nullptr : fields.data();
    c.input_dim = input_dim;
    c.threads = threads;
    return c;
}

DLTensor view(void* data, DLDataType dtype, int64_t* shape, int ndim) {
    DLTensor t{};
    t.data = data;
    t.device = DLDevice{kDLCPU, 0};
    t.ndim = ndim;
    t.dtype = dtype;
    t.shape = shape;
    return t;
}

void bench(const char* recipe, const char* target, uint32_t threads, int steps) {
    openblas_set_num_threads(static_cast<int>(threads));

    ConfigBuilder data_config;
    data_config.set_int("latent_dim", kDim)
        .set_int("clusters", 100)
        .set_int("samples", 1000)
        .set_float("kappa", 10.0)
        .set_string("cluster_distribution", "uniform")
        .set_float("cluster_scale", 1.0)
        .set_float("cluster_shape", 2.0)
        .set_string("conditional", "vmf")
        .set_float("conditional_scale", 1.0)
        .set_float("conditional_shape", 2.0)
        .set_float("truncation", 2.0)
        .set_float("label_noise", 0.0)
        .set_bool("check_assumptions", true)
        .set_int("mixing_layers", 4)
        .set_int("mixing_trials", 500)  // the sampling cost does not depend on it
        .set_float("mixing_slope", 0.2);
    const idlab_create_ctx_t data_ctx = create_ctx("data", threads, 0, {});
    idlab::core::VmfClusters data(idlab::CreateContext(&data_ctx), idlab::Config(data_config.get()));
    const std::vector<idlab_field_desc_t>& fields = data.fields();

    ConfigBuilder mlp_config;
    mlp_config.set_int_list("hidden", {50, 250, 250, 250, 250, 50})
        .set_int("out_dim", kDim)
        .set_bool("batch_norm", true)
        .set_float("negative_slope", 0.01)
        .set_bool("normalize_output", false)
        .set_float("bn_momentum", 0.1)
        .set_float("bn_eps", 1e-5);
    const idlab_create_ctx_t mlp_ctx = create_ctx("encoder", threads, kDim, fields);
    idlab::core::Mlp mlp(idlab::CreateContext(&mlp_ctx), idlab::Config(mlp_config.get()));

    ConfigBuilder loss_config;
    loss_config.set_string("target", target)
        .set_bool("normalize_rows", false)
        .set_bool("normalize_features", false)
        .set_bool("learn_temperature", false)
        .set_float("temperature_init", 1.0)
        .set_float("label_smoothing", 0.0);
    const idlab_create_ctx_t loss_ctx = create_ctx("loss", threads, kDim, fields);
    idlab::core::CrossEntropy loss(idlab::CreateContext(&loss_ctx), idlab::Config(loss_config.get()));

    ConfigBuilder adam_config;
    adam_config.set_float("lr", 1e-3)
        .set_float("beta1", 0.9)
        .set_float("beta2", 0.999)
        .set_float("eps", 1e-8)
        .set_float("weight_decay", 0.0);
    const idlab_create_ctx_t adam_ctx = create_ctx("optimizer", threads, 0, fields);
    idlab::core::Adam adam(idlab::CreateContext(&adam_ctx), idlab::Config(adam_config.get()));
    std::vector<idlab_param_view_t> params;
    for (uint32_t i = 0; i < mlp.parameter_count(); ++i) params.push_back(mlp.parameter(i));
    for (uint32_t i = 0; i < loss.parameter_count(); ++i) params.push_back(loss.parameter(i));
    adam.bind(params.data(), static_cast<uint32_t>(params.size()));

    // The batch, the features and their gradient, allocated once.
    std::vector<float> x(kBatch * kDim), z(kBatch * kDim), features(kBatch * kDim),
        dfeatures(kBatch * kDim);
    std::vector<int64_t> label(kBatch), index(kBatch);
    int64_t mshape[2] = {kBatch, kDim}, vshape[1] = {kBatch};
    const DLDataType f32{kDLFloat, 32, 1}, i64{kDLInt, 64, 1};
    DLTensor xt = view(x.data(), f32, mshape, 2), zt = view(z.data(), f32, mshape, 2);
    DLTensor lt = view(label.data(), i64, vshape, 1), it = view(index.data(), i64, vshape, 1);
    DLTensor ft = view(features.data(), f32, mshape, 2), dft = view(dfeatures.data(), f32, mshape, 2);
    std::vector<idlab_named_tensor_t> batch_items = {{"x", xt}, {"z", zt}, {"label", lt}, {"index", it}};
    idlab_tensor_set_t batch_set{static_cast<uint32_t>(batch_items.size()), batch_items.data()};
    std::vector<idlab_named_tensor_t> loss_items = {{target, std::string(target) == "index" ? it : lt}};
    idlab_tensor_set_t loss_set{1, loss_items.data()};

    idlab_exec_ctx_t ctx{};
    ctx.struct_size = sizeof ctx;
    ctx.device = DLDevice{kDLCPU, 0};
    ctx.training = 1;
    ctx.rng = idlab_rng_t{1, IDLAB_RNG_STREAM_TRAIN, 0};

    std::vector<double> sample_ms, forward_ms, loss_ms, backward_ms, adam_ms, step_ms;
    double cpu_ms = 0.0;
    for (int s = -20; s < steps; ++s) {  // 20 warm-up steps
        ctx.step = s;
        ctx.rng.counter = static_cast<uint64_t>(s + 20);
        const double c0 = process_cpu_ms();
        const auto t0 = Clock::now();
        data.sample(ctx, kBatch, idlab::TensorSet(&batch_set));
        const auto t1 = Clock::now();
        mlp.forward(ctx, xt, ft);
        const auto t2 = Clock::now();
        loss.forward(ctx, ft, idlab::TensorSet(&loss_set), &dft);
        const auto t3 = Clock::now();
        mlp.backward(ctx, dft, nullptr);
        const auto t4 = Clock::now();
        adam.step(ctx);
        const double c1 = process_cpu_ms();
        if (s < 0) continue;
        sample_ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
        forward_ms.push_back(std::chrono::duration<double, std::milli>(t2 - t1).count());
        loss_ms.push_back(std::chrono::duration<double, std::milli>(t3 - t2).count());
        backward_ms.push_back(std::chrono::duration<double, std::milli>(t4 - t3).count());
        adam_ms.push_back(ms_since(t4));
        step_ms.push_back(ms_since(t0));
        cpu_ms += c1 - c0;
    }
    const double step = median(step_ms);
    double total_ms = 0.0;
    for (double t : step_ms) total_ms += t;
    const double mean_step = total_ms / static_cast<double>(step_ms.size());
    std::printf("{\"bench\": \"train_step\", \"recipe\": \"%s\", \"threads\": %u, \"steps\": %d, "
                "\"sample_ms\": %.3f, \"forward_ms\": %.3f, \"loss_ms\": %.3f, "
                "\"backward_ms\": %.3f, \"adam_ms\": %.3f, \"step_ms\": %.3f, "
                "\"mean_step_ms\": %.3f, \"step_cpu_ms\": %.3f, \"steps_per_second\": %.1f, "
                "\"mean_steps_per_second\": %.1f}\n",
                recipe, threads, steps, median(sample_ms), median(forward_ms), median(loss_ms),
                median(backward_ms), median(adam_ms), step, mean_step, cpu_ms / steps, 1e3 / step,
                1e3 / mean_step);
    std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<uint32_t> threads;
    for (int i = 1; i < argc; ++i) threads.push_back(static_cast<uint32_t>(std::atoi(argv[i])));
    if (threads.empty()) threads = {1, 2};
    const char* steps_env = std::getenv("STEPS");
    const int steps = steps_env ? std::max(1, std::atoi(steps_env)) : 300;
    for (uint32_t t : threads) {
        bench("diet", "index", t, steps);
        bench("supervised", "label", t, steps);
    }
    return 0;
}
