// Text views of the registry for `idlab plugins` and `idlab plugins describe ID`.
#pragma once

#include "plugin/registry.hpp"

#include <string>

namespace idlab::host {

// Every plugin (id, version, ABI, file, availability) with its components grouped by kind,
// then one `error: <message>` line per file that was refused.
std::string format_plugin_list(const Registry& registry);

// One component: id, kind, plugin, devices, summary, doc and its parameter table.
std::string format_component(const ComponentRef& component);

}  // namespace idlab::host
