// Test helper for the image data components: creates one from a config the way the host does
// (every parameter set), draws a batch of every field it declares, and reports the error a
// failed creation raises.
#pragma once

#include "support/config_builder.hpp"
#include "support/tensor.hpp"

#include <idlab/plugin.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdlib>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace idlab::test {

// The parameters every image dataset takes for its evaluation, with their defaults.
inline ConfigBuilder& with_evaluation(ConfigBuilder& c, const std::string& split = "val", int64_t train_rows = 0,
                                      int64_t rows_per_split = -1) {
    c.set_string("eval_split", split).set_int("eval_train_rows", train_rows).set_int("eval_rows_per_split", rows_per_split);
    return c;
}

template <class T>
std::unique_ptr<T> make_data(ConfigBuilder& config, uint64_t seed = 3) {
    idlab_create_ctx_t ctx{};
    ctx.struct_size = sizeof ctx;
    ctx.device = DLDevice{kDLCPU, 0};
    ctx.seed = seed;
    ctx.stage = "data";
    return std::make_unique<T>(idlab::CreateContext(&ctx), idlab::Config(config.get()));
}

// The error creating T raises (FAIL when there is none).
template <class T>
idlab::Error data_creation_error(ConfigBuilder& config) {
    try {
        make_data<T>(config);
    } catch (const idlab::Error& e) {
        return e;
    }
    FAIL("creating the data component did not fail");
    return idlab::Error(IDLAB_STATUS_OK, "");
}

// One batch of every declared field: x as floats, the i64 fields as integers.
struct FieldBatch {
    int64_t rows = 0;
    std::map<std::string, std::vector<float>> floats;
    std::map<std::string, std::vector<int64_t>> ints;
    const std::vector<int64_t>& operator[](const std::string& name) const { return ints.at(name); }
};

inline FieldBatch draw_fields(idlab::Data& data, uint64_t stream, int64_t n, uint64_t seed = 3, uint64_t counter = 0) {
    std::deque<OwnedTensor<float>> f32;
    std::deque<OwnedTensor<int64_t>> i64;
    std::vector<idlab_named_tensor_t> items;
    for (const idlab_field_desc_t& f : data.fields()) {
        if (f.dtype == IDLAB_DTYPE_F32) {
            std::vector<int64_t> shape = {n};
            if (f.width > 0) shape.push_back(f.width);
            items.push_back({f.name, f32.emplace_back(shape).view()});
        } else {
            items.push_back({f.name, i64.emplace_back(std::vector<int64_t>{n}).view()});
        }
    }
    idlab_tensor_set_t set{static_cast<uint32_t>(items.size()), items.data()};
    idlab_exec_ctx_t ctx{};
    ctx.struct_size = sizeof ctx;
    ctx.device = DLDevice{kDLCPU, 0};
    ctx.rng = idlab_rng_t{seed, stream, counter};
    ctx.training = stream == IDLAB_RNG_STREAM_TRAIN;
    data.sample(ctx, n, idlab::TensorSet(&set));
    FieldBatch b;
    b.rows = n;
    size_t fi = 0, ii = 0;
    for (const idlab_field_desc_t& f : data.fields()) {
        if (f.dtype == IDLAB_DTYPE_F32) {
            const OwnedTensor<float>& t = f32[fi++];
            b.floats[f.name] = std::vector<float>(t.data(), t.data() + t.size());
        } else {
            const OwnedTensor<int64_t>& t = i64[ii++];
            b.ints[f.name] = std::vector<int64_t>(t.data(), t.data() + t.size());
        }
    }
    return b;
}

// Sets or clears an environment variable for one scope.
class ScopedEnv {
public:
    ScopedEnv(const char* name, const char* value) : name_(name) {
        if (const char* old = std::getenv(name)) old_ = old, had_ = true;
        if (value) setenv(name, value, 1);
        else unsetenv(name);
    }
    ~ScopedEnv() {
        if (had_) setenv(name_.c_str(), old_.c_str(), 1);
        else unsetenv(name_.c_str());
    }
    ScopedEnv(const ScopedEnv&) = delete;
    ScopedEnv& operator=(const ScopedEnv&) = delete;

private:
    std::string name_, old_;
    bool had_ = false;
};

}  // namespace idlab::test
