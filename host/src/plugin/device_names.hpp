// The devices a recipe can name in run.device, and how plugins know each one: the component
// mask (IDLAB_DEVICE_*), the DLPack device type and the label used in messages ("no CUDA
// device"). The CPU is the host's own; every other device is served by a plugin's device table.
#pragma once

#include <idlab/plugin.h>

#include <cstdint>
#include <string_view>

namespace idlab::host {

struct DeviceName {
    std::string_view name;  // the run.device value: "cpu", "cuda"
    uint32_t mask;          // IDLAB_DEVICE_*
    DLDeviceType type;      // kDLCPU, kDLCUDA
    const char* label;      // "CPU", "CUDA"
};

// The entry for a run.device value, or null when the host does not know it.
const DeviceName* find_device_name(std::string_view name);

// The component mask for a run.device value (IDLAB_DEVICE_CPU for an unknown one).
uint32_t device_mask(std::string_view name);

}  // namespace idlab::host
