#include "plugin/host_services.hpp"

#include <spdlog/spdlog.h>

#include <cstdlib>

namespace idlab::host {

namespace {

spdlog::level::level_enum to_spdlog(int32_t level) {
    // Unknown levels are clamped rather than dropped: a plugin's message should not vanish.
    if (level <= IDLAB_LOG_DEBUG) return spdlog::level::debug;
    if (level == IDLAB_LOG_INFO) return spdlog::level::info;
    if (level == IDLAB_LOG_WARN) return spdlog::level::warn;
    return spdlog::level::err;
}

void host_log(const idlab_host_t*, int32_t level, const char* component_id, const char* message) {
    const char* text = message ? message : "";
    if (component_id && *component_id)
        spdlog::log(to_spdlog(level), "{}: {}", component_id, text);
    else
        spdlog::log(to_spdlog(level), "{}", text);
}

bool is_power_of_two(uint64_t v) { return v != 0 && (v & (v - 1)) == 0; }

void* host_alloc(const idlab_host_t*, DLDevice device, uint64_t bytes, uint64_t alignment) {
    if (device.device_type != kDLCPU) return nullptr;  // other devices: not provided yet
    if (alignment == 0) alignment = kDefaultAlignment;
    if (!is_power_of_two(alignment)) return nullptr;
    if (alignment < sizeof(void*)) alignment = sizeof(void*);  // posix_memalign's minimum
    // A zero-byte request still gets a distinct, freeable block.
    size_t size = bytes == 0 ? 1 : static_cast<size_t>(bytes);
    void* ptr = nullptr;
    if (posix_memalign(&ptr, static_cast<size_t>(alignment), size) != 0) return nullptr;
    return ptr;
}

void host_free(const idlab_host_t*, DLDevice device, void* ptr) {
    if (device.device_type != kDLCPU) return;
    std::free(ptr);
}

}  // namespace

const idlab_host_t* host_services_table() {
    static const idlab_host_t table = {
        sizeof(idlab_host_t), idlab_version_t IDLAB_ABI_VERSION_INIT, nullptr,
        &host_log,            &host_alloc,                            &host_free};
    return &table;
}

}  // namespace idlab::host
