// idlab plugin SDK: header-only C++ glue over the C ABI in plugin.h.
//
// A plugin author writes ordinary C++ classes derived from idlab::Data, idlab::Encoder,
// idlab::Loss, idlab::Optimizer or idlab::Metric, each with
//     static idlab::ComponentSpec spec();
//     Class(const idlab::CreateContext& ctx, const idlab::Config& config);
// and ends one source file with
//     IDLAB_PLUGIN(idlab::PluginInfo{...}, ClassA, ClassB, ...)
// The glue builds the C descriptors, turns every exception into a status plus message
// (nothing throws across the boundary) and frees instances only through destroy().
#pragma once

#include <idlab/plugin.h>

#include <cstdint>
#include <cstring>
#include <deque>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace idlab {

// ------------------------------------------------------------------ errors

// Thrown inside a plugin; the glue converts it into a status, a message and a recipe key.
class Error : public std::runtime_error {
public:
    Error(idlab_status_t code, std::string message, std::string param_key = {})
        : std::runtime_error(std::move(message)), code_(code), key_(std::move(param_key)) {}
    idlab_status_t code() const noexcept { return code_; }
    const std::string& param_key() const noexcept { return key_; }

private:
    idlab_status_t code_;
    std::string key_;
};

// A parameter value the component cannot take; names the recipe key so the host can point
// at its line.
[[noreturn]] inline void config_error(const std::string& key, const std::string& message) {
    throw Error(IDLAB_STATUS_INVALID_CONFIG, message, key);
}
[[noreturn]] inline void argument_error(const std::string& message) {
    throw Error(IDLAB_STATUS_INVALID_ARGUMENT, message);
}

namespace detail {
// Runs f and converts any exception into a status and a message in host storage.
template <class F>
idlab_status_t guarded(idlab_error_t* err, F&& f) noexcept {
    try {
        f();
        return IDLAB_STATUS_OK;
    } catch (const Error& e) {
        return idlab_error_set(err, e.code(), e.param_key().c_str(), e.what());
    } catch (const std::bad_alloc&) {
        return idlab_error_set(err, IDLAB_STATUS_OUT_OF_MEMORY, nullptr, "out of memory");
    } catch (const std::exception& e) {
        return idlab_error_set(err, IDLAB_STATUS_INTERNAL, nullptr, e.what());
    } catch (...) {
        return idlab_error_set(err, IDLAB_STATUS_INTERNAL, nullptr, "unknown exception");
    }
}

inline const idlab_host_t*& host_slot() {
    static const idlab_host_t* host = nullptr;
    return host;
}
}  // namespace detail

// ----------------------------------------------------------------- logging

// Sends a line to the host log (under the component's name); silent before init.
inline void log(int32_t level, const std::string& component_id, const std::string& message) {
    const idlab_host_t* host = detail::host_slot();
    if (host && host->log) host->log(host, level, component_id.c_str(), message.c_str());
}

// ----------------------------------------------------------------- tensors

inline DLDataType dl_dtype(idlab_dtype_t dtype) {
    switch (dtype) {
        case IDLAB_DTYPE_F32: return DLDataType{kDLFloat, 32, 1};
        case IDLAB_DTYPE_I64: return DLDataType{kDLInt, 64, 1};
        case IDLAB_DTYPE_F64: return DLDataType{kDLFloat, 64, 1};
    }
    return DLDataType{kDLFloat, 32, 1};
}

inline const char* dtype_name(const DLDataType& t) {
    if (t.code == kDLFloat && t.bits == 32 && t.lanes == 1) return "f32";
    if (t.code == kDLFloat && t.bits == 64 && t.lanes == 1) return "f64";
    if (t.code == kDLInt && t.bits == 64 && t.lanes == 1) return "i64";
    return "other";
}

template <class T>
T* data_of(const DLTensor& t) {
    return reinterpret_cast<T*>(static_cast<char*>(t.data) + t.byte_offset);
}

// Row-major without gaps (a dimension of size 1 may have any stride); null strides mean compact.
inline bool is_compact(const DLTensor& t) {
    if (!t.strides) return true;
    int64_t expected = 1;
    for (int d = t.ndim - 1; d >= 0; --d) {
        if (t.shape[d] != 1 && t.strides[d] != expected) return false;
        expected *= t.shape[d];
    }
    return true;
}

inline std::string shape_string(const DLTensor& t) {
    std::string s = std::string(dtype_name(t.dtype)) + " [";
    for (int d = 0; d < t.ndim; ++d) s += (d ? ", " : "") + std::to_string(t.shape[d]);
    return s + "]";
}

// Checks that `t` is a compact tensor of the given dtype and shape on `device_type`.
// A negative extent accepts any size; cols == 0 asks for a 1-D tensor [rows].
inline void require_tensor(const DLTensor& t, const char* what, idlab_dtype_t dtype, int64_t rows,
                           int64_t cols, DLDeviceType device_type = kDLCPU) {
    const DLDataType want = dl_dtype(dtype);
    const int want_ndim = cols == 0 ? 1 : 2;
    bool ok = t.dtype.code == want.code && t.dtype.bits == want.bits && t.ndim == want_ndim &&
              (rows < 0 || t.shape[0] == rows) &&
              (want_ndim == 1 || cols < 0 || t.shape[1] == cols);
    if (!ok) {
        std::string expected = std::string(dtype_name(want)) + " [" +
                               (rows < 0 ? std::string("batch") : std::to_string(rows)) +
                               (want_ndim == 2 ? ", " + (cols < 0 ? std::string("any")
                                                                  : std::to_string(cols))
                                               : std::string()) +
                               "]";
        argument_error(std::string(what) + ": expected " + expected + ", got " + shape_string(t));
    }
    if (!is_compact(t)) argument_error(std::string(what) + ": expected a compact row-major tensor");
    if (t.device.device_type != device_type)
        argument_error(std::string(what) + ": tensor is on another device");
}

// Named tensors handed to a loss or a metric.
class TensorSet {
public:
    explicit TensorSet(const idlab_tensor_set_t* set) : set_(set) {}
    const DLTensor* find(const std::string& name) const {
        for (uint32_t i = 0; set_ && i < set_->count; ++i)
            if (name == set_->items[i].name) return &set_->items[i].tensor;
        return nullptr;
    }
    const DLTensor& get(const std::string& name) const {
        const DLTensor* t = find(name);
        if (!t) argument_error("missing input '" + name + "'");
        return *t;
    }
    DLTensor& get_mutable(const std::string& name) const { return const_cast<DLTensor&>(get(name)); }

private:
    const idlab_tensor_set_t* set_;
};

// ----------------------------------------------------------------- configs

// Typed access to a validated config; a missing or mistyped key is reported with its name.
class Config {
public:
    explicit Config(const idlab_config_t* config) : config_(config) {}

    bool has(const std::string& key) const { return find(key) != nullptr; }
    bool get_bool(const std::string& key) const { return entry(key, IDLAB_PARAM_BOOL).bool_value != 0; }
    int64_t get_int(const std::string& key) const { return entry(key, IDLAB_PARAM_INT).int_value; }
    double get_float(const std::string& key) const {
        const idlab_config_entry_t* e = find(key);
        if (e && e->type == IDLAB_PARAM_INT) return static_cast<double>(e->int_value);
        return entry(key, IDLAB_PARAM_FLOAT).float_value;
    }
    std::string get_string(const std::string& key) const {
        const char* s = entry(key, IDLAB_PARAM_STRING).string_value;
        return s ? s : "";
    }
    std::vector<int64_t> get_int_list(const std::string& key) const {
        const idlab_config_entry_t& e = entry(key, IDLAB_PARAM_INT_LIST);
        return std::vector<int64_t>(e.int_list, e.int_list + e.list_length);
    }
    std::vector<double> get_float_list(const std::string& key) const {
        const idlab_config_entry_t& e = entry(key, IDLAB_PARAM_FLOAT_LIST);
        return std::vector<double>(e.float_list, e.float_list + e.list_length);
    }

private:
    const idlab_config_entry_t* find(const std::string& key) const {
        for (uint32_t i = 0; config_ && i < config_->entry_count; ++i)
            if (key == config_->entries[i].key) return &config_->entries[i];
        return nullptr;
    }
    const idlab_config_entry_t& entry(const std::string& key, int32_t type) const {
        const idlab_config_entry_t* e = find(key);
        if (!e) config_error(key, "parameter '" + key + "' was not passed");
        if (e->type != type) config_error(key, "parameter '" + key + "' has an unexpected type");
        return *e;
    }
    const idlab_config_t* config_;
};

// What create() learns about the pipeline.
class CreateContext {
public:
    explicit CreateContext(const idlab_create_ctx_t* ctx) : ctx_(ctx) {}
    uint64_t seed() const { return ctx_->seed; }
    int64_t input_dim() const { return ctx_->input_dim; }
    DLDevice device() const { return ctx_->device; }
    // CPU threads the instance may use (1 for a host older than ABI 1.2).
    uint32_t threads() const {
        if (!IDLAB_HAS_FIELD(ctx_, idlab_create_ctx_t, threads) || ctx_->threads == 0) return 1;
        return ctx_->threads;
    }
    std::string stage() const { return ctx_->stage ? ctx_->stage : ""; }
    const idlab_field_desc_t* find_field(const std::string& name) const {
        for (uint32_t i = 0; i < ctx_->field_count; ++i)
            if (name == ctx_->fields[i].name) return &ctx_->fields[i];
        return nullptr;
    }
    const idlab_create_ctx_t& raw() const { return *ctx_; }

private:
    const idlab_create_ctx_t* ctx_;
};

// ------------------------------------------------------------ descriptions

// One parameter of a component; built with the helpers below, e.g.
//     idlab::Param::floating("kappa", "10.0", "vMF concentration").above(0)
struct Param {
    std::string name;
    idlab_param_type_t type = IDLAB_PARAM_FLOAT;
    bool required = false;
    std::string default_value;  // a TOML literal
    uint32_t range_flags = 0;
    double min = 0, max = 0;
    std::string choices;        // "a|b|c" for strings
    std::string doc;

    static Param make(std::string name, idlab_param_type_t type, std::string def, std::string doc) {
        Param p;
        p.name = std::move(name);
        p.type = type;
        p.default_value = std::move(def);
        p.doc = std::move(doc);
        return p;
    }
    static Param boolean(std::string n, std::string def, std::string doc) { return make(std::move(n), IDLAB_PARAM_BOOL, std::move(def), std::move(doc)); }
    static Param integer(std::string n, std::string def, std::string doc) { return make(std::move(n), IDLAB_PARAM_INT, std::move(def), std::move(doc)); }
    static Param floating(std::string n, std::string def, std::string doc) { return make(std::move(n), IDLAB_PARAM_FLOAT, std::move(def), std::move(doc)); }
    static Param string(std::string n, std::string def, std::string doc) { return make(std::move(n), IDLAB_PARAM_STRING, std::move(def), std::move(doc)); }
    static Param int_list(std::string n, std::string def, std::string doc) { return make(std::move(n), IDLAB_PARAM_INT_LIST, std::move(def), std::move(doc)); }
    static Param float_list(std::string n, std::string def, std::string doc) { return make(std::move(n), IDLAB_PARAM_FLOAT_LIST, std::move(def), std::move(doc)); }

    Param&& at_least(double v) && { range_flags |= IDLAB_RANGE_MIN; min = v; return std::move(*this); }
    Param&& above(double v) && { range_flags |= IDLAB_RANGE_MIN | IDLAB_RANGE_MIN_EXCLUSIVE; min = v; return std::move(*this); }
    Param&& at_most(double v) && { range_flags |= IDLAB_RANGE_MAX; max = v; return std::move(*this); }
    Param&& below(double v) && { range_flags |= IDLAB_RANGE_MAX | IDLAB_RANGE_MAX_EXCLUSIVE; max = v; return std::move(*this); }
    Param&& one_of(std::string c) && { choices = std::move(c); return std::move(*this); }
    Param&& make_required() && { required = true; default_value.clear(); return std::move(*this); }
};

struct ComponentSpec {
    idlab_kind_t kind = IDLAB_KIND_DATA;
    std::string id;
    std::string version = "1.0.0";
    std::string summary;
    std::string doc;
    uint32_t devices = IDLAB_DEVICE_CPU;
    std::vector<Param> params;
};

struct PluginInfo {
    std::string id;
    std::string name;
    std::string vendor;
    std::string version;
    std::string description;
    // Optional: return false and write the reason when the plugin cannot run here.
    bool (*probe)(std::string& reason) = nullptr;
    // Since ABI 1.2: the devices the plugin serves (tables owned by the plugin, for its lifetime).
    std::vector<const idlab_device_i*> devices = {};
};

// --------------------------------------------------------------- components

// Base of every component: owns the trainable-parameter list exposed to optimizers.
class Component {
public:
    Component() = default;
    Component(const Component&) = delete;
    Component& operator=(const Component&) = delete;
    virtual ~Component() = default;

    uint32_t parameter_count() const { return static_cast<uint32_t>(params_.size()); }
    const idlab_param_view_t& parameter(uint32_t i) const { return params_[i].view; }
    uint32_t constant_count() const { return static_cast<uint32_t>(constants_.size()); }
    const idlab_named_tensor_t& constant(uint32_t i) const { return constants_[i].view; }
    uint32_t state_count() const { return static_cast<uint32_t>(state_.size()); }
    const idlab_named_tensor_t& state(uint32_t i) const { return state_[i].view; }

    // Called after a checkpoint was written back into the parameters and state tensors
    // (idlab.state/1 restored()); override to refresh what the component derives from them.
    virtual void restored(const idlab_exec_ctx_t& /*ctx*/) {}

protected:
    // Exposes a float32 parameter and its gradient (same shape), both owned by the component
    // and kept at the same address for its lifetime.
    void add_parameter(const std::string& name, float* value, float* grad,
                       std::vector<int64_t> shape, DLDevice device = DLDevice{kDLCPU, 0}) {
        params_.emplace_back();
        Registered& r = params_.back();
        r.name = name;
        r.shape = std::move(shape);
        r.view.struct_size = sizeof(idlab_param_view_t);
        r.view.name = r.name.c_str();
        r.view.value = make_view(value, r.shape, DLDataType{kDLFloat, 32, 1}, device);
        r.view.grad = make_view(grad, r.shape, DLDataType{kDLFloat, 32, 1}, device);
    }

    // Exposes a fixed tensor (cluster vectors, a concentration ...) that metrics can read as
    // "<stage>.<name>"; owned by the component and kept at the same address for its lifetime.
    template <class T>
    void add_constant(const std::string& name, const T* data, std::vector<int64_t> shape,
                      DLDevice device = DLDevice{kDLCPU, 0}) {
        add_named(constants_, name, const_cast<T*>(data), std::move(shape), device);
    }

    // Since ABI 1.2: exposes a non-trainable tensor the component's later behaviour depends on
    // (running statistics, optimizer moments, a step counter) through idlab.state/1, so that
    // checkpoints save it and a resumed run writes it back in place. Owned by the component and
    // kept at the same address for its lifetime.
    template <class T>
    void add_state(const std::string& name, T* data, std::vector<int64_t> shape,
                   DLDevice device = DLDevice{kDLCPU, 0}) {
        add_named(state_, name, data, std::move(shape), device);
    }

    // Forgets every state tensor exposed so far, for a component that rebuilds its state (an
    // optimizer bound a second time). Views handed out before stop being valid.
    void clear_state() { state_.clear(); }

private:
    struct Registered {
        std::string name;
        std::vector<int64_t> shape;
        idlab_param_view_t view{};
    };
    struct Constant {
        std::string name;
        std::vector<int64_t> shape;
        idlab_named_tensor_t view{};
    };
    template <class T>
    static void add_named(std::deque<Constant>& list, const std::string& name, T* data,
                          std::vector<int64_t> shape, DLDevice device) {
        static_assert(std::is_same_v<T, float> || std::is_same_v<T, double> ||
                          std::is_same_v<T, int64_t>,
                      "constants and state tensors are f32, f64 or i64");
        list.emplace_back();
        Constant& c = list.back();
        c.name = name;
        c.shape = std::move(shape);
        const DLDataType dtype = std::is_same_v<T, float>    ? DLDataType{kDLFloat, 32, 1}
                                 : std::is_same_v<T, double> ? DLDataType{kDLFloat, 64, 1}
                                                             : DLDataType{kDLInt, 64, 1};
        c.view.name = c.name.c_str();
        c.view.tensor = make_view(data, c.shape, dtype, device);
    }
    static DLTensor make_view(void* data, std::vector<int64_t>& shape,
                              DLDataType dtype = DLDataType{kDLFloat, 32, 1},
                              DLDevice device = DLDevice{kDLCPU, 0}) {
        DLTensor t{};
        t.data = data;
        t.device = device;
        t.ndim = static_cast<int>(shape.size());
        t.dtype = dtype;
        t.shape = shape.data();
        t.strides = nullptr;
        t.byte_offset = 0;
        return t;
    }
    std::deque<Registered> params_;  // deque: views keep stable addresses
    std::deque<Constant> constants_;
    std::deque<Constant> state_;
};

class Data : public Component {
public:
    static constexpr idlab_kind_t kind = IDLAB_KIND_DATA;
    virtual const std::vector<idlab_field_desc_t>& fields() const = 0;
    // `out` holds one host-allocated tensor per field (see fields()), first dimension `batch`.
    virtual void sample(const idlab_exec_ctx_t& ctx, int64_t batch, const TensorSet& out) = 0;
};

class Encoder : public Component {
public:
    static constexpr idlab_kind_t kind = IDLAB_KIND_ENCODER;
    virtual int64_t output_dim() const = 0;
    virtual void forward(const idlab_exec_ctx_t& ctx, const DLTensor& x, DLTensor& features) = 0;
    virtual void backward(const idlab_exec_ctx_t& ctx, const DLTensor& dfeatures, DLTensor* dx) = 0;
};

class Loss : public Component {
public:
    static constexpr idlab_kind_t kind = IDLAB_KIND_LOSS;
    virtual const std::vector<std::string>& inputs() const = 0;
    // The fields the encoder encodes for this loss, stacked along the batch in this order
    // (features has views().size() * batch rows). Most losses read just "x".
    virtual const std::vector<std::string>& views() const {
        static const std::vector<std::string> x_only{"x"};
        return x_only;
    }
    // Returns the mean loss; fills dfeatures and the head's gradients when dfeatures != nullptr.
    // A loss that overrides writes_loss_out() to return true writes the mean loss to
    // loss_out(ctx) instead when that is not null (a float64 on the device, in stream order);
    // what it returns is then ignored.
    virtual double forward(const idlab_exec_ctx_t& ctx, const DLTensor& features,
                           const TensorSet& inputs, DLTensor* dfeatures) = 0;
    // Since ABI 1.2: true when forward() honours idlab_exec_ctx_t.loss_out (device losses).
    virtual bool writes_loss_out() const { return false; }
};

// Since ABI 1.2: the device slot a loss writes its mean loss to, or null (older host, CPU run,
// evaluation, or a loss that does not write it).
inline double* loss_out(const idlab_exec_ctx_t& ctx) {
    return IDLAB_HAS_FIELD(&ctx, idlab_exec_ctx_t, loss_out) ? ctx.loss_out : nullptr;
}

class Optimizer : public Component {
public:
    static constexpr idlab_kind_t kind = IDLAB_KIND_OPTIMIZER;
    virtual void bind(const idlab_param_view_t* params, uint32_t count) = 0;
    virtual void step(const idlab_exec_ctx_t& ctx) = 0;
};

class Metric : public Component {
public:
    static constexpr idlab_kind_t kind = IDLAB_KIND_METRIC;
    virtual const std::vector<std::string>& inputs() const = 0;
    virtual const std::vector<std::string>& values() const = 0;
    virtual void evaluate(const idlab_exec_ctx_t& ctx, const TensorSet& inputs, double* values) = 0;
};

// ------------------------------------------------------------ trampolines

namespace detail {

struct Instance {
    idlab_instance_t c{};
    std::unique_ptr<Component> object;
    const void* kind_vtable = nullptr;
};

template <class T>
T& self_as(const idlab_instance_t* self) {
    return *static_cast<T*>(static_cast<Instance*>(self->impl)->object.get());
}

inline const idlab_parameters_i* parameters_vtable() {
    static const idlab_parameters_i vt = {
        sizeof(idlab_parameters_i),
        [](const idlab_instance_t* self) { return self_as<Component>(self).parameter_count(); },
        [](const idlab_instance_t* self, uint32_t i, idlab_param_view_t* out) -> idlab_status_t {
            const Component& c = self_as<Component>(self);
            if (i >= c.parameter_count()) return IDLAB_STATUS_INVALID_ARGUMENT;
            *out = c.parameter(i);
            return IDLAB_STATUS_OK;
        }};
    return &vt;
}

inline const idlab_constants_i* constants_vtable() {
    static const idlab_constants_i vt = {
        sizeof(idlab_constants_i),
        [](const idlab_instance_t* self) { return self_as<Component>(self).constant_count(); },
        [](const idlab_instance_t* self, uint32_t i, idlab_named_tensor_t* out) -> idlab_status_t {
            const Component& c = self_as<Component>(self);
            if (i >= c.constant_count()) return IDLAB_STATUS_INVALID_ARGUMENT;
            *out = c.constant(i);
            return IDLAB_STATUS_OK;
        }};
    return &vt;
}

inline const idlab_state_i* state_vtable() {
    static const idlab_state_i vt = {
        sizeof(idlab_state_i),
        [](const idlab_instance_t* self) { return self_as<Component>(self).state_count(); },
        [](const idlab_instance_t* self, uint32_t i, idlab_named_tensor_t* out) -> idlab_status_t {
            const Component& c = self_as<Component>(self);
            if (i >= c.state_count()) return IDLAB_STATUS_INVALID_ARGUMENT;
            *out = c.state(i);
            return IDLAB_STATUS_OK;
        },
        [](idlab_instance_t* self, const idlab_exec_ctx_t* ctx, idlab_error_t* err) {
            return guarded(err, [&] { self_as<Component>(self).restored(*ctx); });
        }};
    return &vt;
}

inline const idlab_data_i* data_vtable() {
    static const idlab_data_i vt = {
        sizeof(idlab_data_i),
        [](const idlab_instance_t* self) {
            return static_cast<uint32_t>(self_as<Data>(self).fields().size());
        },
        [](const idlab_instance_t* self, uint32_t i) -> const idlab_field_desc_t* {
            const auto& f = self_as<Data>(self).fields();
            return i < f.size() ? &f[i] : nullptr;
        },
        [](idlab_instance_t* self, const idlab_exec_ctx_t* ctx, int64_t batch,
           idlab_tensor_set_t* out, idlab_error_t* err) {
            return guarded(err, [&] { self_as<Data>(self).sample(*ctx, batch, TensorSet(out)); });
        }};
    return &vt;
}

inline const idlab_encoder_i* encoder_vtable() {
    static const idlab_encoder_i vt = {
        sizeof(idlab_encoder_i),
        [](const idlab_instance_t* self) { return self_as<Encoder>(self).output_dim(); },
        [](idlab_instance_t* self, const idlab_exec_ctx_t* ctx, const DLTensor* x,
           DLTensor* features, idlab_error_t* err) {
            return guarded(err, [&] { self_as<Encoder>(self).forward(*ctx, *x, *features); });
        },
        [](idlab_instance_t* self, const idlab_exec_ctx_t* ctx, const DLTensor* dfeatures,
           DLTensor* dx, idlab_error_t* err) {
            return guarded(err, [&] { self_as<Encoder>(self).backward(*ctx, *dfeatures, dx); });
        }};
    return &vt;
}

inline const idlab_loss_i* loss_vtable() {
    static const idlab_loss_i vt = {
        sizeof(idlab_loss_i),
        [](const idlab_instance_t* self) {
            return static_cast<uint32_t>(self_as<Loss>(self).inputs().size());
        },
        [](const idlab_instance_t* self, uint32_t i) -> const char* {
            const auto& in = self_as<Loss>(self).inputs();
            return i < in.size() ? in[i].c_str() : nullptr;
        },
        [](idlab_instance_t* self, const idlab_exec_ctx_t* ctx, const DLTensor* features,
           const idlab_tensor_set_t* inputs, double* loss, DLTensor* dfeatures,
           idlab_error_t* err) {
            return guarded(err, [&] {
                *loss = self_as<Loss>(self).forward(*ctx, *features, TensorSet(inputs), dfeatures);
            });
        },
        [](const idlab_instance_t* self) {
            return static_cast<uint32_t>(self_as<Loss>(self).views().size());
        },
        [](const idlab_instance_t* self, uint32_t i) -> const char* {
            const auto& v = self_as<Loss>(self).views();
            return i < v.size() ? v[i].c_str() : nullptr;
        },
        [](const idlab_instance_t* self) -> uint32_t {
            return self_as<Loss>(self).writes_loss_out() ? 1u : 0u;
        }};
    return &vt;
}

inline const idlab_optimizer_i* optimizer_vtable() {
    static const idlab_optimizer_i vt = {
        sizeof(idlab_optimizer_i),
        [](idlab_instance_t* self, const idlab_param_view_t* params, uint32_t count,
           idlab_error_t* err) {
            return guarded(err, [&] { self_as<Optimizer>(self).bind(params, count); });
        },
        [](idlab_instance_t* self, const idlab_exec_ctx_t* ctx, idlab_error_t* err) {
            return guarded(err, [&] { self_as<Optimizer>(self).step(*ctx); });
        }};
    return &vt;
}

inline const idlab_metric_i* metric_vtable() {
    static const idlab_metric_i vt = {
        sizeof(idlab_metric_i),
        [](const idlab_instance_t* self) {
            return static_cast<uint32_t>(self_as<Metric>(self).inputs().size());
        },
        [](const idlab_instance_t* self, uint32_t i) -> const char* {
            const auto& in = self_as<Metric>(self).inputs();
            return i < in.size() ? in[i].c_str() : nullptr;
        },
        [](const idlab_instance_t* self) {
            return static_cast<uint32_t>(self_as<Metric>(self).values().size());
        },
        [](const idlab_instance_t* self, uint32_t i) -> const char* {
            const auto& v = self_as<Metric>(self).values();
            return i < v.size() ? v[i].c_str() : nullptr;
        },
        [](idlab_instance_t* self, const idlab_exec_ctx_t* ctx, const idlab_tensor_set_t* inputs,
           double* values, idlab_error_t* err) {
            return guarded(err, [&] { self_as<Metric>(self).evaluate(*ctx, TensorSet(inputs), values); });
        }};
    return &vt;
}

template <class T>
const void* kind_vtable() {
    if constexpr (std::is_base_of_v<Data, T>) return data_vtable();
    else if constexpr (std::is_base_of_v<Encoder, T>) return encoder_vtable();
    else if constexpr (std::is_base_of_v<Loss, T>) return loss_vtable();
    else if constexpr (std::is_base_of_v<Optimizer, T>) return optimizer_vtable();
    else return metric_vtable();
}

inline const char* kind_interface_id(idlab_kind_t kind) {
    switch (kind) {
        case IDLAB_KIND_DATA: return IDLAB_IFACE_DATA;
        case IDLAB_KIND_ENCODER: return IDLAB_IFACE_ENCODER;
        case IDLAB_KIND_LOSS: return IDLAB_IFACE_LOSS;
        case IDLAB_KIND_OPTIMIZER: return IDLAB_IFACE_OPTIMIZER;
        case IDLAB_KIND_METRIC: return IDLAB_IFACE_METRIC;
    }
    return "";
}

// The C descriptor of component T, built once from T::spec() and kept for the process.
template <class T>
struct Descriptor {
    ComponentSpec spec;
    std::vector<idlab_param_spec_t> params;
    idlab_component_desc_t desc{};

    Descriptor() : spec(T::spec()) {
        static_assert(std::is_base_of_v<Component, T>, "components derive from an idlab base class");
        spec.kind = T::kind;
        for (const Param& p : spec.params) {
            idlab_param_spec_t s{};
            s.struct_size = sizeof(idlab_param_spec_t);
            s.name = p.name.c_str();
            s.type = p.type;
            s.default_value = p.required ? nullptr : p.default_value.c_str();
            s.range_flags = p.range_flags;
            s.min = p.min;
            s.max = p.max;
            s.choices = p.choices.empty() ? nullptr : p.choices.c_str();
            s.doc = p.doc.c_str();
            params.push_back(s);
        }
        desc.struct_size = sizeof(idlab_component_desc_t);
        desc.kind = spec.kind;
        desc.id = spec.id.c_str();
        desc.version = spec.version.c_str();
        desc.summary = spec.summary.c_str();
        desc.doc = spec.doc.empty() ? nullptr : spec.doc.c_str();
        desc.devices = spec.devices;
        desc.param_count = static_cast<uint32_t>(params.size());
        desc.params = params.data();
        desc.create = &create;
    }

    static const void* get_interface(const idlab_instance_t* self, const char* iface) {
        if (!iface) return nullptr;
        if (std::strcmp(iface, kind_interface_id(T::kind)) == 0)
            return static_cast<Instance*>(self->impl)->kind_vtable;
        if (std::strcmp(iface, IDLAB_IFACE_PARAMETERS) == 0) return parameters_vtable();
        if (std::strcmp(iface, IDLAB_IFACE_CONSTANTS) == 0) return constants_vtable();
        if (std::strcmp(iface, IDLAB_IFACE_STATE) == 0) return state_vtable();
        return nullptr;
    }

    static void destroy(idlab_instance_t* self) noexcept {
        delete static_cast<Instance*>(self->impl);
    }

    static idlab_status_t create(const idlab_create_ctx_t* ctx, const idlab_config_t* config,
                                 idlab_instance_t** out, idlab_error_t* err) noexcept {
        if (out) *out = nullptr;
        return guarded(err, [&] {
            auto instance = std::make_unique<Instance>();
            instance->object = std::make_unique<T>(CreateContext(ctx), Config(config));
            instance->kind_vtable = kind_vtable<T>();
            instance->c.struct_size = sizeof(idlab_instance_t);
            instance->c.impl = instance.get();
            instance->c.destroy = &destroy;
            instance->c.get_interface = &get_interface;
            *out = &instance.release()->c;
        });
    }
};

template <class T>
const idlab_component_desc_t* descriptor() {
    static const Descriptor<T> d;
    return &d.desc;
}

// The plugin's entry descriptor, built once.
struct PluginHolder {
    PluginInfo info;
    std::vector<const idlab_component_desc_t*> components;
    idlab_plugin_entry_t entry{};

    static inline bool (*probe_fn)(std::string&) = nullptr;

    PluginHolder(PluginInfo i, std::vector<const idlab_component_desc_t*> c)
        : info(std::move(i)), components(std::move(c)) {
        probe_fn = info.probe;
        entry.struct_size = sizeof(idlab_plugin_entry_t);
        entry.abi_version = idlab_version_t IDLAB_ABI_VERSION_INIT;
        entry.id = info.id.c_str();
        entry.name = info.name.c_str();
        entry.vendor = info.vendor.c_str();
        entry.version = info.version.c_str();
        entry.description = info.description.c_str();
        entry.init = [](const idlab_host_t* host, idlab_error_t*) -> idlab_status_t {
            host_slot() = host;
            return IDLAB_STATUS_OK;
        };
        entry.deinit = [] { host_slot() = nullptr; };
        entry.probe = info.probe ? &probe : nullptr;
        entry.component_count = static_cast<uint32_t>(components.size());
        entry.components = components.data();
        entry.device_count = static_cast<uint32_t>(info.devices.size());
        entry.devices = info.devices.empty() ? nullptr : info.devices.data();
    }

    static int32_t probe(char* reason, uint32_t capacity) noexcept {
        try {
            std::string why;
            if (probe_fn(why)) return 1;
            if (reason && capacity) std::snprintf(reason, capacity, "%s", why.c_str());
            return 0;
        } catch (...) {
            if (reason && capacity) std::snprintf(reason, capacity, "probe failed");
            return 0;
        }
    }
};

}  // namespace detail
}  // namespace idlab

// Defines the plugin's one exported function. Use once per plugin, in one source file:
//     IDLAB_PLUGIN((idlab::PluginInfo{"org.example", "Example", "Me", "0.1.0", "..."}), MyData)
#define IDLAB_PLUGIN(INFO, ...)                                                              \
    extern "C" IDLAB_EXPORT const idlab_plugin_entry_t* idlab_plugin_entry(void) {          \
        static const ::idlab::detail::PluginHolder holder(                                  \
            INFO, ::idlab::detail::component_list<__VA_ARGS__>());                           \
        return &holder.entry;                                                                \
    }

namespace idlab::detail {
template <class... Ts>
std::vector<const idlab_component_desc_t*> component_list() {
    return {descriptor<Ts>()...};
}
}  // namespace idlab::detail
