// The core-probes plugin's entry point (plugin.cpp is compiled into this test): what it
// registers, and that every declared default satisfies its own range and choices while the
// parameters without a sensible default are required.
#include <idlab/plugin.h>

#include <catch2/catch.hpp>

#include <set>
#include <string>

namespace {

const idlab_component_desc_t* find_component(const idlab_plugin_entry_t* entry, const std::string& id) {
    for (uint32_t i = 0; i < entry->component_count; ++i)
        if (id == entry->components[i]->id) return entry->components[i];
    return nullptr;
}

bool in_range(const idlab_param_spec_t& p, double v) {
    if ((p.range_flags & IDLAB_RANGE_MIN) && ((p.range_flags & IDLAB_RANGE_MIN_EXCLUSIVE) ? !(v > p.min) : !(v >= p.min)))
        return false;
    if ((p.range_flags & IDLAB_RANGE_MAX) && ((p.range_flags & IDLAB_RANGE_MAX_EXCLUSIVE) ? !(v < p.max) : !(v <= p.max)))
        return false;
    return true;
}

}  // namespace

TEST_CASE("the core-probes plugin registers two metrics and a data process", "[core-probes][plugin]") {
    const idlab_plugin_entry_t* entry = idlab_plugin_entry();
    REQUIRE(entry != nullptr);
    CHECK(entry->abi_version.major == IDLAB_ABI_VERSION_MAJOR);
    CHECK(std::string(entry->id) == "idlab.core-probes");
    REQUIRE(entry->component_count == 3);
    const std::pair<const char*, int32_t> expected[] = {{"core.pearson_probe", IDLAB_KIND_METRIC},
                                                        {"core.logistic_probe", IDLAB_KIND_METRIC},
                                                        {"core.features", IDLAB_KIND_DATA}};
    for (const auto& [id, kind] : expected) {
        INFO(id);
        const idlab_component_desc_t* desc = find_component(entry, id);
        REQUIRE(desc != nullptr);
        CHECK(desc->kind == kind);
        CHECK(desc->doc != nullptr);
        CHECK(desc->devices == IDLAB_DEVICE_CPU);
    }
}

TEST_CASE("core-probes parameters: defaults within range, the essential ones required", "[core-probes][plugin]") {
    const std::set<std::string> required = {"core.pearson_probe.factors", "core.logistic_probe.target",
                                            "core.features.path"};
    const idlab_plugin_entry_t* entry = idlab_plugin_entry();
    for (uint32_t c = 0; c < entry->component_count; ++c) {
        const idlab_component_desc_t* desc = entry->components[c];
        for (uint32_t i = 0; i < desc->param_count; ++i) {
            const idlab_param_spec_t& p = desc->params[i];
            const std::string name = std::string(desc->id) + "." + p.name;
            INFO(name);
            CHECK(p.doc != nullptr);
            CHECK((p.default_value == nullptr) == (required.count(name) == 1));
            if (!p.default_value) continue;
            const std::string literal = p.default_value;
            if (p.type == IDLAB_PARAM_INT || p.type == IDLAB_PARAM_FLOAT) CHECK(in_range(p, std::stod(literal)));
            if (p.type == IDLAB_PARAM_BOOL) CHECK((literal == "true" || literal == "false"));
            if (p.type == IDLAB_PARAM_STRING) {
                REQUIRE(literal.size() >= 2);
                CHECK(literal.front() == '"');
                const std::string value = literal.substr(1, literal.size() - 2);
                if (p.choices) CHECK(("|" + std::string(p.choices) + "|").find("|" + value + "|") != std::string::npos);
            }
        }
    }
}
