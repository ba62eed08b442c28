// The SDK at run time: the C header's helpers, the descriptors the C++ glue builds from a
// ComponentSpec, and the exception barrier that turns C++ errors into statuses.
// header_c.c (C99) and header_cpp.cpp (C++17) are linked into this test, so the compile tests
// are also checked for what they produce.
#include "support/config_builder.hpp"

#include <idlab/plugin.h>
#include <idlab/plugin.hpp>

#include <catch2/catch.hpp>

#include <cstring>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

extern "C" int idlab_header_c_probe(void);

namespace {

// Host-owned error storage, as the host passes it.
struct ErrorBuffer {
    char message[128] = {0};
    char key[32] = {0};
    idlab_error_t err{sizeof(idlab_error_t), IDLAB_STATUS_OK, message, sizeof message, key,
                      sizeof key};
};

// A metric whose constructor fails in the way its "fail" parameter asks for.
class Throwing final : public idlab::Metric {
public:
    static idlab::ComponentSpec spec() {
        idlab::ComponentSpec s;
        s.id = "test.throwing";
        s.params.push_back(idlab::Param::string("fail", "\"none\"", "how to fail"));
        return s;
    }
    Throwing(const idlab::CreateContext&, const idlab::Config& config) {
        const std::string how = config.get_string("fail");
        if (how == "config") idlab::config_error("kappa", "kappa must be finite");
        if (how == "argument") idlab::argument_error("x: wrong shape");
        if (how == "numeric") throw idlab::Error(IDLAB_STATUS_NUMERIC_ERROR, "non-finite");
        if (how == "std") throw std::runtime_error("plain std exception");
        if (how == "alloc") throw std::bad_alloc();
        if (how == "other") throw 42;
    }
    const std::vector<std::string>& inputs() const override { return names_; }
    const std::vector<std::string>& values() const override { return names_; }
    void evaluate(const idlab_exec_ctx_t&, const idlab::TensorSet&, double*) override {}

private:
    std::vector<std::string> names_;
};

// An encoder with one trainable parameter and one constant.
class WithParameters final : public idlab::Encoder {
public:
    static idlab::ComponentSpec spec() {
        idlab::ComponentSpec s;
        s.id = "test.with_parameters";
        return s;
    }
    WithParameters(const idlab::CreateContext&, const idlab::Config&) {
        add_parameter("layer.weight", weight_, grad_, {2, 3});
        add_constant("scale", &scale_, {1});
    }
    int64_t output_dim() const override { return 3; }
    void forward(const idlab_exec_ctx_t&, const DLTensor&, DLTensor&) override {}
    void backward(const idlab_exec_ctx_t&, const DLTensor&, DLTensor*) override {}

    float weight_[6] = {0};
    float grad_[6] = {0};
    double scale_ = 4.0;
};

// A loss that relies on the default views ({"x"}).
class PlainLoss final : public idlab::Loss {
public:
    static idlab::ComponentSpec spec() {
        idlab::ComponentSpec s;
        s.id = "test.plain_loss";
        return s;
    }
    PlainLoss(const idlab::CreateContext&, const idlab::Config&) {}
    const std::vector<std::string>& inputs() const override { return inputs_; }
    double forward(const idlab_exec_ctx_t&, const DLTensor&, const idlab::TensorSet&,
                   DLTensor*) override {
        return 0.0;
    }

private:
    std::vector<std::string> inputs_{"label"};
};

idlab_create_ctx_t create_ctx() {
    idlab_create_ctx_t ctx{};
    ctx.struct_size = sizeof ctx;
    ctx.device = DLDevice{kDLCPU, 0};
    ctx.stage = "metrics";
    return ctx;
}

// Creates a Throwing instance with fail = `how`; returns the status and fills `out`.
idlab_status_t create_throwing(const std::string& how, ErrorBuffer& buffer,
                               idlab_instance_t** out) {
    idlab::test::ConfigBuilder config;
    config.set_string("fail", how);
    const idlab_create_ctx_t ctx = create_ctx();
    *out = reinterpret_cast<idlab_instance_t*>(&buffer);  // must be reset to NULL on failure
    return idlab::detail::descriptor<Throwing>()->create(&ctx, config.get(), out, &buffer.err);
}

const idlab_param_spec_t& param_of(const idlab_component_desc_t& d, uint32_t i) {
    REQUIRE(i < d.param_count);
    return d.params[i];
}

}  // namespace

TEST_CASE("the C header compiles as C99 and its helpers work there", "[sdk]") {
    CHECK(idlab_header_c_probe() == IDLAB_ABI_VERSION_MAJOR);
}

TEST_CASE("idlab_error_set truncates into host storage", "[sdk]") {
    char message[8];
    char key[4];
    idlab_error_t err{sizeof err, IDLAB_STATUS_OK, message, sizeof message, key, sizeof key};
    CHECK(idlab_error_set(&err, IDLAB_STATUS_INVALID_CONFIG, "kappa", "a long message") ==
          IDLAB_STATUS_INVALID_CONFIG);
    CHECK(err.code == IDLAB_STATUS_INVALID_CONFIG);
    CHECK(std::string(message) == "a long ");
    CHECK(std::string(key) == "kap");
    idlab_error_set(&err, IDLAB_STATUS_INTERNAL, nullptr, nullptr);
    CHECK(std::string(message).empty());
    CHECK(std::string(key).empty());
    // A caller that passes no storage still gets the status back.
    CHECK(idlab_error_set(nullptr, IDLAB_STATUS_UNSUPPORTED, "k", "m") == IDLAB_STATUS_UNSUPPORTED);
}

TEST_CASE("IDLAB_HAS_FIELD reads struct_size", "[sdk]") {
    idlab_loss_i loss{};
    loss.struct_size = offsetof(idlab_loss_i, view_count);  // an ABI 1.0 loss table
    CHECK(IDLAB_HAS_FIELD(&loss, idlab_loss_i, forward));
    CHECK_FALSE(IDLAB_HAS_FIELD(&loss, idlab_loss_i, view_count));
    loss.struct_size = sizeof loss;
    CHECK(IDLAB_HAS_FIELD(&loss, idlab_loss_i, view_name));
}

TEST_CASE("IDLAB_PLUGIN builds the entry descriptor", "[sdk]") {
    // header_cpp.cpp declares five components, one of each kind.
    const idlab_plugin_entry_t* entry = idlab_plugin_entry();
    REQUIRE(entry != nullptr);
    CHECK(entry == idlab_plugin_entry());  // built once
    CHECK(entry->struct_size == sizeof(idlab_plugin_entry_t));
    CHECK(entry->abi_version.major == IDLAB_ABI_VERSION_MAJOR);
    CHECK(entry->abi_version.minor == IDLAB_ABI_VERSION_MINOR);
    CHECK(entry->abi_version.patch == IDLAB_ABI_VERSION_PATCH);
    CHECK(std::string(entry->id) == "compile.test");
    CHECK(entry->init != nullptr);
    CHECK(entry->deinit != nullptr);
    CHECK(entry->probe == nullptr);  // no probe given: always available
    REQUIRE(entry->component_count == 5);
    const char* ids[] = {"compile.data", "compile.encoder", "compile.loss", "compile.optimizer",
                         "compile.metric"};
    const int32_t kinds[] = {IDLAB_KIND_DATA, IDLAB_KIND_ENCODER, IDLAB_KIND_LOSS,
                             IDLAB_KIND_OPTIMIZER, IDLAB_KIND_METRIC};
    for (uint32_t i = 0; i < 5; ++i) {
        const idlab_component_desc_t& d = *entry->components[i];
        INFO(ids[i]);
        CHECK(d.struct_size == sizeof(idlab_component_desc_t));
        CHECK(std::string(d.id) == ids[i]);
        CHECK(d.kind == kinds[i]);
        CHECK(d.devices == IDLAB_DEVICE_CPU);
        CHECK(d.create != nullptr);
    }
}

TEST_CASE("parameter specs carry type, default, range, choices and required", "[sdk]") {
    const idlab_plugin_entry_t* entry = idlab_plugin_entry();
    REQUIRE(entry->component_count == 5);

    const idlab_component_desc_t& data = *entry->components[0];
    CHECK(data.param_count == 0);
    CHECK(std::string(data.summary) == "s");
    CHECK(data.doc == nullptr);  // an empty doc crosses as NULL

    const idlab_param_spec_t& hidden = param_of(*entry->components[1], 0);
    CHECK(hidden.struct_size == sizeof(idlab_param_spec_t));
    CHECK(std::string(hidden.name) == "hidden");
    CHECK(hidden.type == IDLAB_PARAM_INT_LIST);
    CHECK(std::string(hidden.default_value) == "[8, 8]");
    CHECK(hidden.range_flags == IDLAB_RANGE_MIN);
    CHECK(hidden.min == 1.0);
    CHECK(hidden.choices == nullptr);
    CHECK(std::string(hidden.doc) == "widths");

    const idlab_param_spec_t& target = param_of(*entry->components[2], 0);
    CHECK(target.type == IDLAB_PARAM_STRING);
    CHECK(std::string(target.default_value) == "\"label\"");
    CHECK(std::string(target.choices) == "label|index");

    const idlab_param_spec_t& lr = param_of(*entry->components[3], 0);
    CHECK(lr.type == IDLAB_PARAM_FLOAT);
    CHECK(lr.range_flags == (IDLAB_RANGE_MIN | IDLAB_RANGE_MIN_EXCLUSIVE | IDLAB_RANGE_MAX |
                             IDLAB_RANGE_MAX_EXCLUSIVE));
    CHECK(lr.min == 0.0);
    CHECK(lr.max == 1.0);

    const idlab_param_spec_t& flag = param_of(*entry->components[4], 0);
    CHECK(flag.type == IDLAB_PARAM_BOOL);
    CHECK(flag.default_value == nullptr);  // required: no default
}

TEST_CASE("exceptions in create become statuses with messages and keys", "[sdk]") {
    ErrorBuffer buffer;
    idlab_instance_t* out = nullptr;
    SECTION("config_error names the key") {
        CHECK(create_throwing("config", buffer, &out) == IDLAB_STATUS_INVALID_CONFIG);
        CHECK(std::string(buffer.message) == "kappa must be finite");
        CHECK(std::string(buffer.key) == "kappa");
    }
    SECTION("argument_error") {
        CHECK(create_throwing("argument", buffer, &out) == IDLAB_STATUS_INVALID_ARGUMENT);
        CHECK(std::string(buffer.message) == "x: wrong shape");
        CHECK(std::string(buffer.key).empty());
    }
    SECTION("idlab::Error keeps its code") {
        CHECK(create_throwing("numeric", buffer, &out) == IDLAB_STATUS_NUMERIC_ERROR);
        CHECK(std::string(buffer.message) == "non-finite");
    }
    SECTION("a std::exception is an internal error with its what()") {
        CHECK(create_throwing("std", buffer, &out) == IDLAB_STATUS_INTERNAL);
        CHECK(std::string(buffer.message) == "plain std exception");
    }
    SECTION("bad_alloc is out of memory") {
        CHECK(create_throwing("alloc", buffer, &out) == IDLAB_STATUS_OUT_OF_MEMORY);
        CHECK(std::string(buffer.message) == "out of memory");
    }
    SECTION("anything else is still caught") {
        CHECK(create_throwing("other", buffer, &out) == IDLAB_STATUS_INTERNAL);
        CHECK(std::string(buffer.message) == "unknown exception");
    }
    CHECK(buffer.err.code != IDLAB_STATUS_OK);
    CHECK(out == nullptr);
}

TEST_CASE("a created instance answers its interfaces and is freed by destroy", "[sdk]") {
    ErrorBuffer buffer;
    idlab_instance_t* instance = nullptr;
    REQUIRE(create_throwing("none", buffer, &instance) == IDLAB_STATUS_OK);
    REQUIRE(instance != nullptr);
    CHECK(instance->struct_size == sizeof(idlab_instance_t));
    CHECK(instance->get_interface(instance, IDLAB_IFACE_METRIC) != nullptr);
    CHECK(instance->get_interface(instance, IDLAB_IFACE_DATA) == nullptr);
    CHECK(instance->get_interface(instance, "idlab.metric/2") == nullptr);
    CHECK(instance->get_interface(instance, nullptr) == nullptr);
    instance->destroy(instance);
}

TEST_CASE("parameters and constants are exposed as views", "[sdk]") {
    const idlab_create_ctx_t ctx = create_ctx();
    idlab::test::ConfigBuilder config;
    idlab_instance_t* instance = nullptr;
    REQUIRE(idlab::detail::descriptor<WithParameters>()->create(&ctx, config.get(), &instance,
                                                                nullptr) == IDLAB_STATUS_OK);
    auto params = static_cast<const idlab_parameters_i*>(
        instance->get_interface(instance, IDLAB_IFACE_PARAMETERS));
    REQUIRE(params != nullptr);
    REQUIRE(params->count(instance) == 1);
    idlab_param_view_t view{};
    REQUIRE(params->get(instance, 0, &view) == IDLAB_STATUS_OK);
    CHECK(std::string(view.name) == "layer.weight");
    CHECK(view.value.ndim == 2);
    CHECK(view.value.shape[0] == 2);
    CHECK(view.value.shape[1] == 3);
    CHECK(view.value.strides == nullptr);
    CHECK(view.value.dtype.code == kDLFloat);
    CHECK(view.value.dtype.bits == 32);
    CHECK(view.grad.shape[1] == 3);
    // The view aliases the component's storage: an optimizer writes through it.
    static_cast<float*>(view.value.data)[4] = 7.0f;
    auto& object = idlab::detail::self_as<WithParameters>(instance);
    CHECK(object.weight_[4] == 7.0f);
    CHECK(view.grad.data == object.grad_);
    CHECK(params->get(instance, 1, &view) == IDLAB_STATUS_INVALID_ARGUMENT);

    auto constants = static_cast<const idlab_constants_i*>(
        instance->get_interface(instance, IDLAB_IFACE_CONSTANTS));
    REQUIRE(constants != nullptr);
    REQUIRE(constants->count(instance) == 1);
    idlab_named_tensor_t constant{};
    REQUIRE(constants->get(instance, 0, &constant) == IDLAB_STATUS_OK);
    CHECK(std::string(constant.name) == "scale");
    CHECK(constant.tensor.dtype.code == kDLFloat);
    CHECK(constant.tensor.dtype.bits == 64);
    CHECK(*static_cast<double*>(constant.tensor.data) == 4.0);
    CHECK(constants->get(instance, 1, &constant) == IDLAB_STATUS_INVALID_ARGUMENT);
    instance->destroy(instance);
}

TEST_CASE("a loss reads just x unless it names its views", "[sdk]") {
    const idlab_create_ctx_t ctx = create_ctx();
    idlab::test::ConfigBuilder config;
    idlab_instance_t* instance = nullptr;
    REQUIRE(idlab::detail::descriptor<PlainLoss>()->create(&ctx, config.get(), &instance,
                                                           nullptr) == IDLAB_STATUS_OK);
    auto loss = static_cast<const idlab_loss_i*>(instance->get_interface(instance, IDLAB_IFACE_LOSS));
    REQUIRE(loss != nullptr);
    REQUIRE(IDLAB_HAS_FIELD(loss, idlab_loss_i, view_name));
    CHECK(loss->view_count(instance) == 1);
    CHECK(std::string(loss->view_name(instance, 0)) == "x");
    CHECK(loss->view_name(instance, 1) == nullptr);
    CHECK(loss->input_count(instance) == 1);
    CHECK(std::string(loss->input_name(instance, 0)) == "label");
    instance->destroy(instance);
}

TEST_CASE("Config gives typed access and names a missing or mistyped key", "[sdk]") {
    idlab::test::ConfigBuilder builder;
    builder.set_int("steps", 10).set_float("lr", 0.5).set_bool("flag", true)
        .set_string("mode", "sum").set_int_list("hidden", {4, 5}).set_float_list("w", {0.25});
    const idlab::Config config(builder.get());
    CHECK(config.get_int("steps") == 10);
    CHECK(config.get_float("steps") == 10.0);  // an int literal is a valid float
    CHECK(config.get_float("lr") == 0.5);
    CHECK(config.get_bool("flag"));
    CHECK(config.get_string("mode") == "sum");
    CHECK(config.get_int_list("hidden") == std::vector<int64_t>{4, 5});
    CHECK(config.get_float_list("w") == std::vector<double>{0.25});
    CHECK(config.has("lr"));
    CHECK_FALSE(config.has("kappa"));
    try {
        config.get_float("kappa");
        FAIL("no exception");
    } catch (const idlab::Error& e) {
        CHECK(e.code() == IDLAB_STATUS_INVALID_CONFIG);
        CHECK(e.param_key() == "kappa");
        CHECK(std::string(e.what()) == "parameter 'kappa' was not passed");
    }
    try {
        config.get_int("lr");
        FAIL("no exception");
    } catch (const idlab::Error& e) {
        CHECK(e.param_key() == "lr");
        CHECK(std::string(e.what()) == "parameter 'lr' has an unexpected type");
    }
}

TEST_CASE("require_tensor explains what it expected", "[sdk]") {
    float data[8] = {0};
    int64_t shape[2] = {4, 2};
    DLTensor t{};
    t.data = data;
    t.device = DLDevice{kDLCPU, 0};
    t.ndim = 2;
    t.dtype = DLDataType{kDLFloat, 32, 1};
    t.shape = shape;

    CHECK_NOTHROW(idlab::require_tensor(t, "x", IDLAB_DTYPE_F32, 4, 2));
    CHECK_NOTHROW(idlab::require_tensor(t, "x", IDLAB_DTYPE_F32, -1, -1));
    CHECK_THROWS_WITH(idlab::require_tensor(t, "x", IDLAB_DTYPE_F32, -1, 3),
                      "x: expected f32 [batch, 3], got f32 [4, 2]");
    CHECK_THROWS_WITH(idlab::require_tensor(t, "label", IDLAB_DTYPE_I64, 4, 0),
                      "label: expected i64 [4], got f32 [4, 2]");
    int64_t transposed[2] = {1, 4};  // column-major strides
    t.strides = transposed;
    CHECK_THROWS_WITH(idlab::require_tensor(t, "x", IDLAB_DTYPE_F32, 4, 2),
                      "x: expected a compact row-major tensor");
    int64_t compact[2] = {2, 1};
    t.strides = compact;
    CHECK_NOTHROW(idlab::require_tensor(t, "x", IDLAB_DTYPE_F32, 4, 2));
    t.device = DLDevice{kDLCUDA, 0};
    CHECK_THROWS_WITH(idlab::require_tensor(t, "x", IDLAB_DTYPE_F32, 4, 2),
                      "x: tensor is on another device");
}

TEST_CASE("TensorSet finds inputs by name", "[sdk]") {
    idlab_named_tensor_t items[2] = {};
    items[0].name = "x";
    items[1].name = "label";
    idlab_tensor_set_t set{2, items};
    const idlab::TensorSet inputs(&set);
    CHECK(inputs.find("label") == &items[1].tensor);
    CHECK(inputs.find("z") == nullptr);
    CHECK_THROWS_WITH(inputs.get("z"), "missing input 'z'");
    const idlab::TensorSet empty(nullptr);
    CHECK(empty.find("x") == nullptr);
}

TEST_CASE("a probe's reason reaches the host, a throwing probe still answers", "[sdk]") {
    idlab::PluginInfo info{"test.probe", "n", "v", "1", "d"};
    SECTION("unavailable") {
        info.probe = [](std::string& reason) {
            reason = "no CUDA device";
            return false;
        };
        idlab::detail::PluginHolder holder(info, {});
        REQUIRE(holder.entry.probe != nullptr);
        char reason[32] = {0};
        CHECK(holder.entry.probe(reason, sizeof reason) == 0);
        CHECK(std::string(reason) == "no CUDA device");
    }
    SECTION("available") {
        info.probe = [](std::string&) { return true; };
        idlab::detail::PluginHolder holder(info, {});
        char reason[32] = {0};
        CHECK(holder.entry.probe(reason, sizeof reason) == 1);
        CHECK(reason[0] == '\0');
    }
    SECTION("throwing") {
        info.probe = [](std::string&) -> bool { throw std::runtime_error("boom"); };
        idlab::detail::PluginHolder holder(info, {});
        char reason[32] = {0};
        CHECK(holder.entry.probe(reason, sizeof reason) == 0);
        CHECK(std::string(reason) == "probe failed");
    }
}
