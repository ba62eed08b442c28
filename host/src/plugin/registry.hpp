// The plugin registry: loads plugin libraries (Boost.DLL lives only in plugin/), checks them,
// and indexes their components. Libraries stay loaded for the life of the process.
#pragma once

#include <idlab/plugin.h>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace idlab::host {

// A file that was not loaded, or a conflict between files, and why (one line, names the file).
struct LoadProblem {
    std::string file;
    std::string message;
};

// One loaded plugin library.
struct Plugin {
    std::string file;                          // absolute path
    const idlab_plugin_entry_t* entry = nullptr;
    bool available = true;                     // false when probe() said it cannot run here
    std::string unavailable_reason;            // e.g. "no CUDA device"
};

// One component, as declared by the plugin that provides it.
struct ComponentRef {
    const idlab_component_desc_t* desc = nullptr;
    const Plugin* plugin = nullptr;
};

// What a lookup by id found.
struct Lookup {
    const ComponentRef* component = nullptr;   // null when not found or ambiguous
    std::string error;                          // why, when component is null
};

// A device table (ABI 1.2) served by an available plugin.
struct DeviceRef {
    const idlab_device_i* table = nullptr;
    const Plugin* plugin = nullptr;
};

// What a lookup of a run.device value found.
struct DeviceLookup {
    const idlab_device_i* table = nullptr;     // null for "cpu" (the host's own) or a miss
    std::string error;                          // why it is missing; "" when usable
};

class Registry {
public:
    Registry();
    ~Registry();
    Registry(const Registry&) = delete;
    Registry& operator=(const Registry&) = delete;

    // Loads every "*.so" file of each directory (sorted by name), directories in order.
    // A missing directory is skipped silently; a bad file becomes a LoadProblem.
    void load_directories(const std::vector<std::filesystem::path>& dirs);
    // Loads one file; returns false (and records a LoadProblem) when it is refused.
    bool load_file(const std::filesystem::path& file);

    const std::vector<LoadProblem>& problems() const;
    const std::vector<std::unique_ptr<Plugin>>& plugins() const;
    // Every component, in load order.
    const std::vector<ComponentRef>& components() const;
    std::vector<const ComponentRef*> components_of_kind(idlab_kind_t kind) const;
    // The component with this id that runs on `device_mask` (IDLAB_DEVICE_*); explains a miss:
    // unknown id, provided by two files, or its plugin unavailable here.
    Lookup find(std::string_view id, uint32_t device_mask = IDLAB_DEVICE_CPU) const;
    // The declaration of `id` for `device_mask` even when its plugin is unavailable here, so
    // that a recipe for a missing device can still be checked key by key; null when no file
    // declares it for that device.
    const ComponentRef* find_declared(std::string_view id, uint32_t device_mask) const;

    // Device tables of available plugins, in load order.
    const std::vector<DeviceRef>& devices() const;
    // The table that serves run.device = `name`. "cpu" needs none (table null, no error). A
    // miss explains itself: "no CUDA device: ..." with the reasons of the unavailable plugins
    // that declare components for that device.
    DeviceLookup find_device(std::string_view name) const;

    // The services table handed to every plugin's init().
    const idlab_host_t* host_services() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// Search order: each --plugin-path DIR, then the IDLAB_PLUGIN_PATH entries (':'-separated),
// then the default folder of this build or install (<exe_dir>/../lib/idlab/plugins).
std::vector<std::filesystem::path> plugin_search_path(const std::vector<std::string>& cli_dirs);

// "data", "encoder", "loss", "optimizer", "metric".
const char* kind_name(int32_t kind);

}  // namespace idlab::host
