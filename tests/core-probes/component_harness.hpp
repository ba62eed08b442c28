// Test helpers: core-probes components created and called through their C descriptors, the way
// the host does, so statuses, messages, recipe keys and the exception barrier are what the tests
// see.
#pragma once

#include "support/config_builder.hpp"
#include "support/tensor.hpp"

#include <idlab/plugin.hpp>

#include <catch2/catch.hpp>

#include <deque>
#include <limits>
#include <string>
#include <vector>

namespace idlab::test {

// What create() said.
struct CreateResult {
    idlab_status_t status = IDLAB_STATUS_OK;
    std::string message;
    std::string key;
};

// An instance of component T (or the error that prevented it), destroyed with the harness.
template <class T>
class Instance {
public:
    // `fields` are the data fields the create context announces (none: a bare context).
    Instance(ConfigBuilder& config, const std::vector<idlab_field_desc_t>& fields = {}, const char* stage = "metrics") {
        idlab_create_ctx_t ctx{};
        ctx.struct_size = sizeof ctx;
        ctx.device = DLDevice{kDLCPU, 0};
        ctx.seed = 7;
        ctx.stage = stage;
        ctx.field_count = static_cast<uint32_t>(fields.size());
        ctx.fields = fields.empty() ? nullptr : fields.data();
        char message[1024] = "";
        char key[64] = "";
        idlab_error_t err{sizeof(idlab_error_t), IDLAB_STATUS_OK, message, sizeof message, key, sizeof key};
        created_.status = idlab::detail::descriptor<T>()->create(&ctx, config.get(), &instance_, &err);
        created_.message = message;
        created_.key = key;
    }
    ~Instance() {
        if (instance_) instance_->destroy(instance_);
    }
    Instance(const Instance&) = delete;
    Instance& operator=(const Instance&) = delete;

    const CreateResult& created() const { return created_; }
    bool ok() const { return created_.status == IDLAB_STATUS_OK && instance_ != nullptr; }
    idlab_instance_t* get() const { return instance_; }
    template <class Vtable>
    const Vtable* vtable(const char* iface) const {
        return static_cast<const Vtable*>(instance_->get_interface(instance_, iface));
    }

private:
    idlab_instance_t* instance_ = nullptr;
    CreateResult created_;
};

struct MetricResult {
    idlab_status_t status = IDLAB_STATUS_OK;
    std::string message;
    std::vector<double> values;  // NaN where the metric wrote nothing
};

// A metric created from `config`; evaluate() passes named tensors and an execution context.
template <class T>
class MetricHarness {
public:
    explicit MetricHarness(ConfigBuilder& config, const std::vector<idlab_field_desc_t>& fields = {})
        : instance_(config, fields) {
        INFO(instance_.created().message);
        REQUIRE(instance_.ok());
        metric_ = instance_.template vtable<idlab_metric_i>(IDLAB_IFACE_METRIC);
        REQUIRE(metric_ != nullptr);
    }

    std::vector<std::string> inputs() const {
        std::vector<std::string> names;
        for (uint32_t i = 0; i < metric_->input_count(instance_.get()); ++i)
            names.push_back(metric_->input_name(instance_.get(), i));
        return names;
    }
    std::vector<std::string> values() const {
        std::vector<std::string> names;
        for (uint32_t i = 0; i < metric_->value_count(instance_.get()); ++i)
            names.push_back(metric_->value_name(instance_.get(), i));
        return names;
    }

    MetricResult evaluate(std::vector<idlab_named_tensor_t> items, idlab_rng_t rng = {3, IDLAB_RNG_STREAM_EVAL, 1}) {
        char message[1024] = "";
        char key[64] = "";
        idlab_error_t err{sizeof(idlab_error_t), IDLAB_STATUS_OK, message, sizeof message, key, sizeof key};
        idlab_tensor_set_t set{static_cast<uint32_t>(items.size()), items.data()};
        idlab_exec_ctx_t ctx{};
        ctx.struct_size = sizeof ctx;
        ctx.device = DLDevice{kDLCPU, 0};
        ctx.rng = rng;
        MetricResult r;
        r.values.assign(metric_->value_count(instance_.get()), std::numeric_limits<double>::quiet_NaN());
        r.status = metric_->evaluate(instance_.get(), &ctx, &set, r.values.data(), &err);
        r.message = message;
        return r;
    }

private:
    Instance<T> instance_;
    const idlab_metric_i* metric_ = nullptr;
};

// A field descriptor for create contexts: one i64 value per sample by default.
inline idlab_field_desc_t field_desc(const char* name, idlab_dtype_t dtype = IDLAB_DTYPE_I64, int64_t width = 0) {
    idlab_field_desc_t f{};
    f.struct_size = sizeof f;
    f.name = name;
    f.dtype = dtype;
    f.width = width;
    return f;
}

// Row-major double data as a float32 tensor [rows, cols].
inline OwnedTensor<float> float_matrix(const std::vector<double>& values, int64_t rows, int64_t cols) {
    OwnedTensor<float> t({rows, cols});
    REQUIRE(t.size() == values.size());
    for (size_t i = 0; i < t.size(); ++i) t[i] = static_cast<float>(values[i]);
    return t;
}

inline OwnedTensor<int64_t> int_vector(const std::vector<int64_t>& values) {
    OwnedTensor<int64_t> t({static_cast<int64_t>(values.size())});
    for (size_t i = 0; i < values.size(); ++i) t[i] = values[i];
    return t;
}

}  // namespace idlab::test
