// Plugin loading with Boost.DLL: the only place in the host that touches shared libraries.
#include "plugin/registry.hpp"

#include "plugin/descriptor_checks.hpp"
#include "plugin/device_names.hpp"
#include "plugin/host_services.hpp"

#include <boost/dll/runtime_symbol_info.hpp>
#include <boost/dll/shared_library.hpp>
#include <dlfcn.h>

#include <algorithm>
#include <deque>
#include <cstdlib>
#include <set>
#include <system_error>

namespace idlab::host {

namespace {

namespace fs = std::filesystem;

// The same file reached twice (a folder listed twice, a symlink) is loaded once.
fs::path identity_of(const fs::path& file) {
    std::error_code ec;
    fs::path canonical = fs::weakly_canonical(file, ec);
    return ec ? fs::absolute(file).lexically_normal() : canonical;
}

// dlerror() text, without the leading "<path>: " it usually repeats.
std::string loader_reason(const std::string& path, const std::error_code& ec) {
    const char* raw = ::dlerror();  // still set: Boost.DLL does not clear it after a failed dlopen
    std::string reason = raw ? raw : ec.message();
    const std::string prefix = path + ": ";
    if (reason.compare(0, prefix.size(), prefix) == 0) reason.erase(0, prefix.size());
    return reason;
}

// A recorded clash: `id` offered on `devices` by two files; lookups there are ambiguous.
struct Conflict {
    std::string id;
    std::string first;
    std::string second;
    uint32_t devices = 0;
};

std::string device_names(uint32_t mask) {
    std::string names;
    if (mask & IDLAB_DEVICE_CPU) names += "cpu";
    if (mask & IDLAB_DEVICE_CUDA) names += names.empty() ? "cuda" : ", cuda";
    return names.empty() ? "no device" : names;
}

}  // namespace

struct Registry::Impl {
    // Every library opened, refused ones included: code that ran (static initialisers, entry,
    // init) stays mapped until the registry goes, so nothing dangles mid-run. A deque keeps
    // references stable while more are added.
    std::deque<boost::dll::shared_library> libraries;
    std::vector<const idlab_plugin_entry_t*> initialised;  // deinit() in reverse order
    std::set<fs::path> seen;
    std::vector<std::unique_ptr<Plugin>> plugins;
    std::vector<ComponentRef> components;
    std::vector<Conflict> conflicts;
    std::vector<LoadProblem> problems;
    std::vector<DeviceRef> devices;

    bool refuse(const std::string& file, std::string message) {
        problems.push_back({file, std::move(message)});
        return false;
    }

    // Adds the plugin's components, refusing an id that an earlier file already offers on an
    // overlapping device.
    void register_components(const Plugin& plugin) {
        const idlab_plugin_entry_t& entry = *plugin.entry;
        for (uint32_t i = 0; i < entry.component_count; ++i) {
            const idlab_component_desc_t* desc = entry.components[i];
            const ComponentRef* clash = nullptr;
            for (const ComponentRef& c : components)
                if (std::string_view(c.desc->id) == desc->id && (c.desc->devices & desc->devices)) {
                    clash = &c;
                    break;
                }
            if (!clash) {
                components.push_back({desc, &plugin});
                continue;
            }
            const std::string id = desc->id;
            if (clash->plugin == &plugin) {
                problems.push_back({plugin.file, "component '" + id + "' is declared twice in '" +
                                                     plugin.file + "'"});
                continue;
            }
            conflicts.push_back(
                {id, clash->plugin->file, plugin.file, clash->desc->devices & desc->devices});
            problems.push_back({plugin.file, "component '" + id + "' is provided by both '" +
                                                 clash->plugin->file + "' and '" + plugin.file +
                                                 "'"});
        }
    }

    // Adds the device tables of an available plugin (checked already), refusing a device name
    // or type that an earlier file serves. Host allocations for the device go to the table.
    void register_devices(const Plugin& plugin) {
        const idlab_plugin_entry_t& entry = *plugin.entry;
        if (!IDLAB_HAS_FIELD(&entry, idlab_plugin_entry_t, devices)) return;
        for (uint32_t i = 0; i < entry.device_count; ++i) {
            const idlab_device_i* table = entry.devices[i];
            const DeviceRef* clash = nullptr;
            for (const DeviceRef& d : devices)
                if (std::string_view(d.table->name) == table->name ||
                    d.table->device_type == table->device_type)
                    clash = &d;
            if (clash) {
                problems.push_back({plugin.file, "device '" + std::string(table->name) +
                                                     "' is served by both '" + clash->plugin->file +
                                                     "' and '" + plugin.file + "'; using the first"});
                continue;
            }
            devices.push_back({table, &plugin});
            register_device_table(table);
        }
    }
};

Registry::Registry() : impl_(std::make_unique<Impl>()) {}

Registry::~Registry() {
    for (const DeviceRef& d : impl_->devices) withdraw_device_table(d.table);
    // Instances made from these plugins are gone by now (their owners hold the registry).
    for (auto it = impl_->initialised.rbegin(); it != impl_->initialised.rend(); ++it)
        if ((*it)->deinit) (*it)->deinit();
    impl_->components.clear();
    impl_->plugins.clear();
    while (!impl_->libraries.empty()) impl_->libraries.pop_back();  // reverse load order
}

void Registry::load_directories(const std::vector<fs::path>& dirs) {
    for (const fs::path& dir : dirs) {
        std::error_code ec;
        if (!fs::is_directory(dir, ec)) continue;
        std::vector<fs::path> files;
        for (const fs::directory_entry& e : fs::directory_iterator(dir, ec))
            if (e.path().extension() == ".so" && e.is_regular_file(ec)) files.push_back(e.path());
        std::sort(files.begin(), files.end(),
                  [](const fs::path& a, const fs::path& b) { return a.filename() < b.filename(); });
        for (const fs::path& f : files) load_file(f);
    }
}

bool Registry::load_file(const fs::path& file_in) {
    Impl& m = *impl_;
    const fs::path identity = identity_of(file_in);
    if (!m.seen.insert(identity).second) return true;  // already loaded from another folder
    const std::string file = fs::absolute(file_in).lexically_normal().string();

    // 1. Open. RTLD_NOW reports missing symbols here, RTLD_LOCAL keeps plugins apart.
    std::error_code ec;
    boost::dll::shared_library lib(
        fs::path(file), ec,
        boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
    if (ec || !lib.is_loaded())
        return m.refuse(file, "cannot load plugin '" + file + "': " + loader_reason(file, ec));
    // Its static initialisers ran: keep the code mapped until the registry goes.
    m.libraries.push_back(std::move(lib));
    const boost::dll::shared_library& loaded = m.libraries.back();

    // 2. The one C entry point, by its plain name.
    if (!loaded.has(IDLAB_PLUGIN_ENTRY_SYMBOL))
        return m.refuse(file, "no entry point '" IDLAB_PLUGIN_ENTRY_SYMBOL "' in '" + file + "'");
    auto& entry_fn = loaded.get<const idlab_plugin_entry_t*()>(IDLAB_PLUGIN_ENTRY_SYMBOL);
    const idlab_plugin_entry_t* entry = entry_fn();
    if (!entry)
        return m.refuse(file,
                        "plugin '" + file + "': " IDLAB_PLUGIN_ENTRY_SYMBOL "() returned NULL");

    // 3. Versions before anything else: another major's layout cannot be trusted.
    const std::string invalid = "plugin '" + file + "' returned an invalid entry descriptor: ";
    if (!entry_has_version(entry))
        return m.refuse(file, invalid + "struct_size " + std::to_string(entry->struct_size) +
                                  " is too small to hold the ABI version");
    const idlab_version_t host = IDLAB_ABI_VERSION_INIT;
    const idlab_version_t built = entry->abi_version;
    if (built.major != host.major)
        return m.refuse(file, "incompatible plugin '" + file + "': built for idlab ABI " +
                                  version_string(built) + ", this host has ABI " +
                                  version_string(host) + "; rebuild the plugin against this SDK");
    if (built.minor > host.minor)
        return m.refuse(file, "incompatible plugin '" + file + "': built for idlab ABI " +
                                  version_string(built) + ", newer than this host's ABI " +
                                  version_string(host) +
                                  "; update idlab or rebuild the plugin against this SDK");
    if (std::string why = check_entry(*entry); !why.empty()) return m.refuse(file, invalid + why);
    if (std::string why = check_components(*entry); !why.empty())
        return m.refuse(file, "plugin '" + file + "' declares an invalid component: " + why);

    auto plugin = std::make_unique<Plugin>();
    plugin->file = file;
    plugin->entry = entry;

    // 4. Probe: a plugin that cannot run here is listed, not initialised.
    if (entry->probe) {
        char reason[256] = {0};
        if (entry->probe(reason, sizeof reason) == 0) {
            plugin->available = false;
            plugin->unavailable_reason = reason[0] ? reason : "the plugin cannot run on this machine";
        }
    }

    // Device tables are read only from an available plugin (ABI 1.2).
    if (plugin->available)
        if (std::string why = check_devices(*entry); !why.empty())
            return m.refuse(file, "plugin '" + file + "' declares an invalid device: " + why);

    // 5. init with the host services.
    if (plugin->available && entry->init) {
        char message[512] = {0};
        char key[128] = {0};
        idlab_error_t err{sizeof(idlab_error_t), IDLAB_STATUS_OK, message, sizeof message, key,
                          sizeof key};
        idlab_status_t status = entry->init(host_services(), &err);
        if (status != IDLAB_STATUS_OK) {
            std::string why = message[0] ? message : "status " + std::to_string(status);
            return m.refuse(file, "plugin '" + file + "' failed to initialise: " + why);
        }
    }
    if (plugin->available) m.initialised.push_back(entry);

    // 6. Components, minus ids another file already provides.
    m.plugins.push_back(std::move(plugin));
    m.register_components(*m.plugins.back());
    if (m.plugins.back()->available) m.register_devices(*m.plugins.back());
    return true;
}

const std::vector<LoadProblem>& Registry::problems() const { return impl_->problems; }
const std::vector<std::unique_ptr<Plugin>>& Registry::plugins() const { return impl_->plugins; }
const std::vector<ComponentRef>& Registry::components() const { return impl_->components; }

std::vector<const ComponentRef*> Registry::components_of_kind(idlab_kind_t kind) const {
    std::vector<const ComponentRef*> out;
    for (const ComponentRef& c : impl_->components)
        if (c.desc->kind == kind) out.push_back(&c);
    return out;
}

Lookup Registry::find(std::string_view id, uint32_t device_mask) const {
    const std::string name(id);
    for (const Conflict& c : impl_->conflicts)
        if (c.id == id && (c.devices & device_mask))
            return {nullptr, "component '" + name + "' is provided by both '" + c.first +
                                 "' and '" + c.second + "'"};
    bool known = false;
    const ComponentRef* unavailable = nullptr;
    for (const ComponentRef& c : impl_->components) {
        if (id != c.desc->id) continue;
        known = true;
        if (!(c.desc->devices & device_mask)) continue;
        if (c.plugin->available) return {&c, ""};
        if (!unavailable) unavailable = &c;
    }
    if (unavailable)
        return {nullptr, "component '" + name + "' is unavailable: " +
                             unavailable->plugin->unavailable_reason};
    if (known)
        return {nullptr, "component '" + name + "' does not run on " + device_names(device_mask)};
    return {nullptr, "unknown component '" + name + "'"};
}

const ComponentRef* Registry::find_declared(std::string_view id, uint32_t device_mask) const {
    for (const ComponentRef& c : impl_->components)
        if (id == c.desc->id && (c.desc->devices & device_mask)) return &c;
    return nullptr;
}

const std::vector<DeviceRef>& Registry::devices() const { return impl_->devices; }

DeviceLookup Registry::find_device(std::string_view name) const {
    const DeviceName* known = find_device_name(name);
    if (known && known->type == kDLCPU) return {};
    for (const DeviceRef& d : impl_->devices)
        if (name == d.table->name) return {d.table, ""};
    // Why not: the plugins that would bring it but cannot run here say why.
    const std::string label = known ? known->label : "'" + std::string(name) + "'";
    std::string reasons;
    for (const auto& p : impl_->plugins) {
        if (p->available) continue;
        bool declares = false;
        for (uint32_t i = 0; known && i < p->entry->component_count; ++i)
            declares = declares || (p->entry->components[i]->devices & known->mask) != 0;
        if (declares)
            reasons += (reasons.empty() ? "" : "; ") + std::string("plugin '") + p->entry->id +
                       "' (" + p->file + ") is unavailable: " + p->unavailable_reason;
    }
    if (reasons.empty())
        reasons = "no loaded plugin serves the device '" + std::string(name) + "'";
    return {nullptr, "no " + label + " device: " + reasons};
}

const idlab_host_t* Registry::host_services() const { return host_services_table(); }

std::vector<fs::path> plugin_search_path(const std::vector<std::string>& cli_dirs) {
    std::vector<fs::path> path(cli_dirs.begin(), cli_dirs.end());
    if (const char* env = std::getenv("IDLAB_PLUGIN_PATH")) {
        std::string list = env;
        size_t start = 0;
        while (start <= list.size()) {
            size_t end = list.find(':', start);
            if (end == std::string::npos) end = list.size();
            if (end > start) path.emplace_back(list.substr(start, end - start));
            start = end + 1;
        }
    }
    std::error_code ec;
    fs::path exe = boost::dll::program_location(ec);
    if (!ec) path.push_back((exe.parent_path() / ".." / IDLAB_PLUGIN_DIR_REL).lexically_normal());
    return path;
}

const char* kind_name(int32_t kind) {
    switch (kind) {
        case IDLAB_KIND_DATA: return "data";
        case IDLAB_KIND_ENCODER: return "encoder";
        case IDLAB_KIND_LOSS: return "loss";
        case IDLAB_KIND_OPTIMIZER: return "optimizer";
        case IDLAB_KIND_METRIC: return "metric";
    }
    return "unknown";
}

}  // namespace idlab::host
