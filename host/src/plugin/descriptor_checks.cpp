#include "plugin/descriptor_checks.hpp"

namespace idlab::host {

namespace {

std::string describe_param(const idlab_param_spec_t& p, uint32_t index) {
    if (p.struct_size < offsetof(idlab_param_spec_t, doc) + sizeof(p.doc))
        return "parameter #" + std::to_string(index) + " has struct_size " +
               std::to_string(p.struct_size) + ", too small";
    if (!p.name || !*p.name) return "parameter #" + std::to_string(index) + " has no name";
    if (p.type < IDLAB_PARAM_BOOL || p.type > IDLAB_PARAM_FLOAT_LIST)
        return "parameter '" + std::string(p.name) + "' has unknown type " + std::to_string(p.type);
    return "";
}

std::string describe_component(const idlab_component_desc_t* c, uint32_t index) {
    const std::string where = "component #" + std::to_string(index);
    if (!c) return where + " is NULL";
    if (c->struct_size < offsetof(idlab_component_desc_t, create) + sizeof(c->create))
        return where + " has struct_size " + std::to_string(c->struct_size) + ", too small";
    if (!c->id || !*c->id) return where + " has no id";
    const std::string named = "component '" + std::string(c->id) + "'";
    if (c->kind < IDLAB_KIND_DATA || c->kind > IDLAB_KIND_METRIC)
        return named + " has unknown kind " + std::to_string(c->kind);
    if (!c->create) return named + " has no create function";
    if ((c->devices & (IDLAB_DEVICE_CPU | IDLAB_DEVICE_CUDA)) == 0)
        return named + " declares no known device";
    if (c->param_count > 0 && !c->params)
        return named + " declares " + std::to_string(c->param_count) + " parameters but no list";
    for (uint32_t i = 0; i < c->param_count; ++i) {
        std::string why = describe_param(c->params[i], i);
        if (!why.empty()) return named + ": " + why;
    }
    return "";
}

std::string describe_device(const idlab_device_i* d, uint32_t index) {
    const std::string where = "device table #" + std::to_string(index);
    if (!d) return where + " is NULL";
    if (!IDLAB_HAS_FIELD(d, idlab_device_i, synchronize))
        return where + " has struct_size " + std::to_string(d->struct_size) + ", too small";
    if (!d->name || !*d->name) return where + " has no name";
    const std::string named = "device table '" + std::string(d->name) + "'";
    if (d->device_type == kDLCPU) return named + " claims the CPU, which the host serves itself";
    const struct {
        bool present;
        const char* what;
    } functions[] = {{d->alloc != nullptr, "alloc"},
                     {d->free != nullptr, "free"},
                     {d->copy != nullptr, "copy"},
                     {d->stream_create != nullptr, "stream_create"},
                     {d->stream_destroy != nullptr, "stream_destroy"},
                     {d->synchronize != nullptr, "synchronize"}};
    for (const auto& f : functions)
        if (!f.present) return named + " has no " + f.what + " function";
    return "";
}

}  // namespace

std::string check_devices(const idlab_plugin_entry_t& entry) {
    if (!IDLAB_HAS_FIELD(&entry, idlab_plugin_entry_t, devices) || entry.device_count == 0) return "";
    if (!entry.devices)
        return "declares " + std::to_string(entry.device_count) + " device tables but no list";
    for (uint32_t i = 0; i < entry.device_count; ++i) {
        std::string why = describe_device(entry.devices[i], i);
        if (!why.empty()) return why;
    }
    return "";
}

bool entry_has_version(const idlab_plugin_entry_t* entry) {
    return entry && IDLAB_HAS_FIELD(entry, idlab_plugin_entry_t, abi_version);
}

std::string check_entry(const idlab_plugin_entry_t& entry) {
    // `components` is the last field of ABI 1.0; later fields are read only when present.
    if (!IDLAB_HAS_FIELD(&entry, idlab_plugin_entry_t, components))
        return "struct_size " + std::to_string(entry.struct_size) +
               " is smaller than an ABI 1.0 entry (" +
               std::to_string(offsetof(idlab_plugin_entry_t, components) +
                              sizeof(entry.components)) +
               " bytes)";
    if (!entry.id || !*entry.id) return "it has no plugin id";
    return "";
}

std::string check_components(const idlab_plugin_entry_t& entry) {
    if (entry.component_count > 0 && !entry.components)
        return "declares " + std::to_string(entry.component_count) + " components but no list";
    for (uint32_t i = 0; i < entry.component_count; ++i) {
        std::string why = describe_component(entry.components[i], i);
        if (!why.empty()) return why;
    }
    return "";
}

std::string version_string(const idlab_version_t& v) {
    return std::to_string(v.major) + "." + std::to_string(v.minor);
}

}  // namespace idlab::host
