#include "cli/session.hpp"

#include "plugin/device_names.hpp"

#include <spdlog/spdlog.h>

#include <cstdio>

namespace idlab::host {

std::unique_ptr<Registry> open_registry(const std::vector<std::string>& plugin_dirs) {
    auto registry = std::make_unique<Registry>();
    registry->load_directories(plugin_search_path(plugin_dirs));
    for (const LoadProblem& p : registry->problems()) spdlog::warn("{}", p.message);
    return registry;
}

ComponentSource component_source(const Registry& registry) {
    ComponentSource source;
    source.find = [&registry](idlab_kind_t kind, std::string_view id, std::string_view device) {
        ComponentSource::Found found;
        // Metrics always run on the CPU: the host copies what they read into CPU mirrors.
        const uint32_t mask =
            kind == IDLAB_KIND_METRIC ? uint32_t{IDLAB_DEVICE_CPU} : device_mask(device);
        if (mask != IDLAB_DEVICE_CPU && !registry.find_device(device).error.empty()) {
            // The device itself is missing (reported once, at run.device): check the stage
            // against the component's declaration for that device, or any declaration of it.
            const ComponentRef* declared = registry.find_declared(id, mask);
            if (!declared) declared = registry.find_declared(id, IDLAB_DEVICE_CPU | IDLAB_DEVICE_CUDA);
            if (declared && declared->desc->kind == kind) {
                found.desc = declared->desc;
                return found;
            }
        }
        Lookup lookup = registry.find(id, mask);
        if (!lookup.component) {
            // Known id but no implementation for this device: say so plainly.
            Lookup any = registry.find(id, IDLAB_DEVICE_CPU | IDLAB_DEVICE_CUDA);
            if (any.component && any.component->desc->kind == kind)
                found.error = "component '" + std::string(id) + "' has no implementation for device '" +
                              std::string(device) + "'";
            else
                found.error = lookup.error;
            return found;
        }
        if (lookup.component->desc->kind != kind) {
            found.error = "component '" + std::string(id) + "' is a " +
                          kind_name(lookup.component->desc->kind) + ", not a " + kind_name(kind);
            return found;
        }
        found.desc = lookup.component->desc;
        return found;
    };
    source.device_problem = [&registry](std::string_view device) {
        return registry.find_device(device).error;
    };
    source.ids_of_kind = [&registry](idlab_kind_t kind) {
        std::vector<std::string> ids;
        for (const ComponentRef* c : registry.components_of_kind(kind)) ids.emplace_back(c->desc->id);
        return ids;
    };
    return source;
}

void print_diagnostic(const Diagnostic& d, const std::vector<std::string>& overrides) {
    std::fputs(format_diagnostic(d, overrides).c_str(), stderr);
}

std::optional<Recipe> resolve_recipe(const std::string& path,
                                     const std::vector<std::string>& overrides,
                                     const Registry& registry) {
    std::vector<Diagnostic> diagnostics;
    auto recipe = load_recipe(path, overrides, component_source(registry), diagnostics);
    for (const Diagnostic& d : diagnostics) print_diagnostic(d, overrides);
    if (!recipe) {
        std::fprintf(stderr, "%zu error%s in '%s'\n", diagnostics.size(),
                     diagnostics.size() == 1 ? "" : "s", path.c_str());
        return std::nullopt;
    }
    return recipe;
}

}  // namespace idlab::host
