// Defensive checks of what a plugin's entry function returned, before the host uses any of it.
// A plugin built against a different SDK or simply buggy must produce a message, not a crash.
#pragma once

#include <idlab/plugin.h>

#include <string>

namespace idlab::host {

// True when the entry is readable far enough to compare ABI versions.
bool entry_has_version(const idlab_plugin_entry_t* entry);

// "" when the entry holds every field of ABI 1.0 and names its plugin; otherwise why not
// ("struct_size 40 is smaller than an ABI 1.0 entry (104 bytes)", "it has no plugin id").
std::string check_entry(const idlab_plugin_entry_t& entry);

// "" when every component descriptor and parameter spec is usable; otherwise why not
// ("component #2 has no id", "component 'x.y' has kind 9").
std::string check_components(const idlab_plugin_entry_t& entry);

// "" when every device table the entry lists (ABI 1.2) is usable; otherwise why not
// ("device table #0 has no name", "device table 'cuda' has no copy function").
std::string check_devices(const idlab_plugin_entry_t& entry);

// "1.0"
std::string version_string(const idlab_version_t& v);

}  // namespace idlab::host
