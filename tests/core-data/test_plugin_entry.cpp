// The core-data plugin's entry point (plugin.cpp is compiled into this test): it registers
// core.vmf_clusters and core.contrastive_pairs, every declared default satisfies its own range
// and choices, and each component builds from its defaults and samples through the C ABI.
#include "support/config_builder.hpp"
#include "support/tensor.hpp"

#include <idlab/plugin.h>

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace idlab::test;

namespace {

const idlab_component_desc_t* find_component(const idlab_plugin_entry_t* entry, const std::string& id) {
    for (uint32_t i = 0; i < entry->component_count; ++i)
        if (id == entry->components[i]->id) return entry->components[i];
    return nullptr;
}

bool in_range(const idlab_param_spec_t& p, double v) {
    if (p.range_flags & IDLAB_RANGE_MIN) {
        if (p.range_flags & IDLAB_RANGE_MIN_EXCLUSIVE ? !(v > p.min) : !(v >= p.min)) return false;
    }
    if (p.range_flags & IDLAB_RANGE_MAX) {
        if (p.range_flags & IDLAB_RANGE_MAX_EXCLUSIVE ? !(v < p.max) : !(v <= p.max)) return false;
    }
    return true;
}

// The spec's defaults as a config, the way the host resolves a recipe that sets nothing.
ConfigBuilder defaults_of(const idlab_component_desc_t* desc) {
    ConfigBuilder config;
    for (uint32_t i = 0; i < desc->param_count; ++i) {
        const idlab_param_spec_t& p = desc->params[i];
        INFO(desc->id << "." << p.name << " = " << (p.default_value ? p.default_value : "(required)"));
        REQUIRE(p.default_value != nullptr);
        const std::string literal = p.default_value;
        switch (p.type) {
            case IDLAB_PARAM_INT: {
                const double v = std::stod(literal);
                CHECK(in_range(p, v));
                config.set_int(p.name, static_cast<int64_t>(v));
                break;
            }
            case IDLAB_PARAM_FLOAT: {
                const double v = std::stod(literal);
                CHECK(in_range(p, v));
                config.set_float(p.name, v);
                break;
            }
            case IDLAB_PARAM_STRING: {
                REQUIRE(literal.size() >= 2);
                const std::string value = literal.substr(1, literal.size() - 2);  // strip the quotes
                if (p.choices) CHECK(("|" + std::string(p.choices) + "|").find("|" + value + "|") != std::string::npos);
                config.set_string(p.name, value);
                break;
            }
            case IDLAB_PARAM_BOOL: {
                REQUIRE((literal == "true" || literal == "false"));
                config.set_bool(p.name, literal == "true");
                break;
            }
            default: FAIL("core-data declares only bool, int, float and string parameters");
        }
    }
    return config;
}

}  // namespace

TEST_CASE("the core-data plugin registers its data processes", "[core-data][plugin]") {
    const idlab_plugin_entry_t* entry = idlab_plugin_entry();
    REQUIRE(entry != nullptr);
    CHECK(entry->abi_version.major == IDLAB_ABI_VERSION_MAJOR);
    CHECK(std::string(entry->id) == "idlab.core-data");
    REQUIRE(entry->component_count == 2);
    for (const char* id : {"core.vmf_clusters", "core.contrastive_pairs"}) {
        INFO(id);
        const idlab_component_desc_t* desc = find_component(entry, id);
        REQUIRE(desc != nullptr);
        CHECK(desc->kind == IDLAB_KIND_DATA);
        CHECK(desc->doc != nullptr);
    }
}

TEST_CASE("core-data components build from their defaults and sample through the C ABI", "[core-data][plugin]") {
    const idlab_plugin_entry_t* entry = idlab_plugin_entry();
    for (uint32_t c = 0; c < entry->component_count; ++c) {
        const idlab_component_desc_t* desc = entry->components[c];
        INFO(desc->id);
        ConfigBuilder config = defaults_of(desc);
        config.set_int("mixing_trials", 50);  // the default 25,000 is slow for a unit test

        idlab_create_ctx_t ctx{};
        ctx.struct_size = sizeof ctx;
        ctx.device = DLDevice{kDLCPU, 0};
        ctx.seed = 1;
        ctx.stage = "data";
        char message[512] = "";
        char key[64] = "";
        idlab_error_t err{sizeof(idlab_error_t), IDLAB_STATUS_OK, message, sizeof message, key, sizeof key};
        idlab_instance_t* instance = nullptr;
        REQUIRE(desc->create(&ctx, config.get(), &instance, &err) == IDLAB_STATUS_OK);
        REQUIRE(instance != nullptr);

        const auto* data = static_cast<const idlab_data_i*>(instance->get_interface(instance, IDLAB_IFACE_DATA));
        REQUIRE(data != nullptr);
        const int64_t batch = 16;
        std::vector<OwnedTensor<float>> floats;
        std::vector<OwnedTensor<int64_t>> ints;
        floats.reserve(8);
        ints.reserve(8);
        std::vector<idlab_named_tensor_t> items;
        for (uint32_t f = 0; f < data->field_count(instance); ++f) {
            const idlab_field_desc_t* field = data->field(instance, f);
            std::vector<int64_t> shape = {batch};
            if (field->width > 0) shape.push_back(field->width);
            if (field->dtype == IDLAB_DTYPE_F32) {
                floats.emplace_back(shape);
                items.push_back({field->name, floats.back().view()});
            } else {
                ints.emplace_back(shape);
                items.push_back({field->name, ints.back().view()});
            }
        }
        idlab_tensor_set_t set{static_cast<uint32_t>(items.size()), items.data()};
        idlab_exec_ctx_t exec{};
        exec.struct_size = sizeof exec;
        exec.device = DLDevice{kDLCPU, 0};
        exec.rng = idlab_rng_t{1, IDLAB_RNG_STREAM_TRAIN, 0};
        CHECK(data->sample(instance, &exec, batch, &set, &err) == IDLAB_STATUS_OK);
        bool finite = true;
        for (auto& t : floats)
            for (size_t i = 0; i < t.size(); ++i) finite = finite && std::isfinite(t[i]);
        CHECK(finite);
        instance->destroy(instance);
    }
}
