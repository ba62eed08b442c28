// The services table the host hands to every plugin's init(): logging into spdlog and
// per-device memory. One process-wide table serves every plugin: CPU memory comes from the
// host itself, memory on another device from the device table (ABI 1.2) that a loaded plugin
// serves for it.
#pragma once

#include <idlab/plugin.h>

namespace idlab::host {

// The table; valid for the whole process.
const idlab_host_t* host_services_table();

// Alignment used when a plugin asks for 0 (cache-line and AVX-512 friendly).
constexpr uint64_t kDefaultAlignment = 64;

// Makes alloc/free for table->device_type go to `table` until it is withdrawn. A table
// registered twice (two registries loading one plugin) must be withdrawn twice. Thread-safe.
void register_device_table(const idlab_device_i* table);
void withdraw_device_table(const idlab_device_i* table);

}  // namespace idlab::host
