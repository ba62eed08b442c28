// The services table the host hands to every plugin's init(): logging into spdlog and
// per-device memory. Stateless, so one process-wide table serves every plugin.
#pragma once

#include <idlab/plugin.h>

namespace idlab::host {

// The table; valid for the whole process.
const idlab_host_t* host_services_table();

// Alignment used when a plugin asks for 0 (cache-line and AVX-512 friendly).
constexpr uint64_t kDefaultAlignment = 64;

}  // namespace idlab::host
