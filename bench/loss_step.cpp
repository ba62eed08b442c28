// Times one training step of the CPU losses (forward + backward, i.e. forward with dfeatures):
//   core.cross_entropy at the paper's sizes, batch 1024, feature width 5 and 100 (supervised),
//   1000 (DIET default) and 10240 classes; then the widths kNarrowHeadMaxDim and one more at 1000
//   classes, the two sides of the switch from the per-sample kernels to GEMMs (narrow_head.hpp);
//   core.infonce at cl-ica's sizes, width 10, batch 1024 and 6144, both forms.
// Prints one JSON object per line; ms_per_step is the median over at least a second of calls.
// OPENBLAS_NUM_THREADS sets the threads of the GEMMs; the row kernels run on the calling thread.
#include "cross_entropy.hpp"
#include "infonce.hpp"

#include <idlab/plugin.h>
#include <idlab/plugin.hpp>

#include <cblas.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace {

// A config with just the given entries; the components read only the keys they declare.
class BenchConfig {
public:
    BenchConfig& add_string(const char* key, const char* value) {
        idlab_config_entry_t e{};
        e.key = key;
        e.type = IDLAB_PARAM_STRING;
        e.string_value = value;
        entries_.push_back(e);
        return *this;
    }
    BenchConfig& add_bool(const char* key, bool value) {
        idlab_config_entry_t e{};
        e.key = key;
        e.type = IDLAB_PARAM_BOOL;
        e.bool_value = value;
        entries_.push_back(e);
        return *this;
    }
    BenchConfig& add_float(const char* key, double value) {
        idlab_config_entry_t e{};
        e.key = key;
        e.type = IDLAB_PARAM_FLOAT;
        e.float_value = value;
        entries_.push_back(e);
        return *this;
    }
    idlab::Config get() {
        config_.struct_size = sizeof(idlab_config_t);
        config_.entry_count = static_cast<uint32_t>(entries_.size());
        config_.entries = entries_.data();
        return idlab::Config(&config_);
    }

private:
    std::vector<idlab_config_entry_t> entries_;
    idlab_config_t config_{};
};

DLTensor view_of(void* data, DLDataType dtype, int64_t* shape, int ndim) {
    DLTensor t{};
    t.data = data;
    t.device = DLDevice{kDLCPU, 0};
    t.ndim = ndim;
    t.dtype = dtype;
    t.shape = shape;
    return t;
}

// Times step() call by call for at least min_seconds (after a warm-up) and returns the median in
// milliseconds: on a shared machine the median ignores the calls another process interrupted.
template <class F>
double median_ms(F&& step, double min_seconds = 1.0) {
    for (int i = 0; i < 5; ++i) step();
    std::vector<double> ms;
    const auto start = std::chrono::steady_clock::now();
    while (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() <
               min_seconds ||
           ms.size() < 10) {
        const auto t0 = std::chrono::steady_clock::now();
        step();
        const auto t1 = std::chrono::steady_clock::now();
        ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    }
    std::nth_element(ms.begin(), ms.begin() + ms.size() / 2, ms.end());
    return ms[ms.size() / 2];
}

void bench_cross_entropy(int64_t batch, int64_t dim, int64_t classes) {
    idlab_field_desc_t field{sizeof(idlab_field_desc_t), "index", IDLAB_DTYPE_I64, 0, classes,
                             "class of each sample"};
    idlab_create_ctx_t create{};
    create.struct_size = sizeof(idlab_create_ctx_t);
    create.device = DLDevice{kDLCPU, 0};
    create.seed = 1;
    create.stage = "loss";
    create.field_count = 1;
    create.fields = &field;
    create.input_dim = dim;
    BenchConfig config;
    config.add_string("target", "index")
        .add_bool("normalize_rows", false)
        .add_bool("normalize_features", false)
        .add_bool("learn_temperature", false)
        .add_float("temperature_init", 1.0)
        .add_float("label_smoothing", 0.0);
    idlab::core::CrossEntropy loss(idlab::CreateContext(&create), config.get());

    std::mt19937 gen(7);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::vector<float> features(batch * dim), dfeatures(batch * dim);
    for (float& v : features) v = normal(gen);
    std::vector<int64_t> targets(batch);
    for (int64_t r = 0; r < batch; ++r) targets[r] = r % classes;
    int64_t fshape[2] = {batch, dim}, tshape[1] = {batch};
    DLTensor f = view_of(features.data(), {kDLFloat, 32, 1}, fshape, 2);
    DLTensor df = view_of(dfeatures.data(), {kDLFloat, 32, 1}, fshape, 2);
    idlab_named_tensor_t item{"index", view_of(targets.data(), {kDLInt, 64, 1}, tshape, 1)};
    idlab_tensor_set_t set{1, &item};
    idlab_exec_ctx_t ctx{};
    ctx.struct_size = sizeof(idlab_exec_ctx_t);
    ctx.device = DLDevice{kDLCPU, 0};
    ctx.training = 1;

    const double ms = median_ms([&] { loss.forward(ctx, f, idlab::TensorSet(&set), &df); });
    std::printf("{\"loss\": \"core.cross_entropy\", \"classes\": %lld, \"batch\": %lld, "
                "\"dim\": %lld, \"blas_threads\": %d, \"ms_per_step\": %.4f}\n",
                static_cast<long long>(classes), static_cast<long long>(batch),
                static_cast<long long>(dim), openblas_get_num_threads(), ms);
}

void bench_infonce(int64_t batch, int64_t dim, const char* form) {
    idlab_field_desc_t fields[2] = {
        {sizeof(idlab_field_desc_t), "x", IDLAB_DTYPE_F32, dim, 0, "observation"},
        {sizeof(idlab_field_desc_t), "x_pos", IDLAB_DTYPE_F32, dim, 0, "positive"}};
    idlab_create_ctx_t create{};
    create.struct_size = sizeof(idlab_create_ctx_t);
    create.device = DLDevice{kDLCPU, 0};
    create.stage = "loss";
    create.field_count = 2;
    create.fields = fields;
    create.input_dim = dim;
    BenchConfig config;
    config.add_string("form", form).add_float("temperature", 1.0);
    idlab::core::InfoNce loss(idlab::CreateContext(&create), config.get());

    std::mt19937 gen(7);
    std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
    std::normal_distribution<float> noise(0.0f, 0.05f);
    std::vector<float> features(2 * batch * dim), dfeatures(2 * batch * dim);
    for (int64_t i = 0; i < batch * dim; ++i) {
        features[i] = uniform(gen);
        features[batch * dim + i] = features[i] + noise(gen);
    }
    int64_t shape[2] = {2 * batch, dim};
    DLTensor f = view_of(features.data(), {kDLFloat, 32, 1}, shape, 2);
    DLTensor df = view_of(dfeatures.data(), {kDLFloat, 32, 1}, shape, 2);
    idlab_tensor_set_t none{};
    idlab_exec_ctx_t ctx{};
    ctx.struct_size = sizeof(idlab_exec_ctx_t);
    ctx.device = DLDevice{kDLCPU, 0};
    ctx.training = 1;

    const double ms = median_ms([&] { loss.forward(ctx, f, idlab::TensorSet(&none), &df); });
    std::printf("{\"loss\": \"core.infonce\", \"form\": \"%s\", \"batch\": %lld, \"dim\": %lld, "
                "\"blas_threads\": %d, \"ms_per_step\": %.4f}\n",
                form, static_cast<long long>(batch), static_cast<long long>(dim),
                openblas_get_num_threads(), ms);
}

}  // namespace

int main() {
    for (int64_t classes : {100, 1000, 10240}) bench_cross_entropy(1024, 5, classes);
    for (int64_t dim : {idlab::core::kNarrowHeadMaxDim, idlab::core::kNarrowHeadMaxDim + 1})
        bench_cross_entropy(1024, dim, 1000);
    for (int64_t batch : {1024, 6144})
        for (const char* form : {"distance", "dot"}) bench_infonce(batch, 10, form);
    return 0;
}
