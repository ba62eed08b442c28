#include "plugin/host_services.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <vector>

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

// The device tables of loaded plugins, in registration order (the first one for a device type
// serves it).
struct DeviceDirectory {
    std::mutex mutex;
    std::vector<const idlab_device_i*> tables;

    const idlab_device_i* find(int32_t device_type) {
        std::lock_guard<std::mutex> lock(mutex);
        for (const idlab_device_i* t : tables)
            if (t->device_type == device_type) return t;
        return nullptr;
    }
};

DeviceDirectory& directory() {
    static DeviceDirectory d;
    return d;
}

void* device_alloc(DLDevice device, uint64_t bytes, uint64_t alignment) {
    const idlab_device_i* table = directory().find(device.device_type);
    if (!table) return nullptr;  // no loaded plugin serves this device
    char message[512] = {0};
    idlab_error_t err{sizeof(idlab_error_t), IDLAB_STATUS_OK, message, sizeof message, nullptr, 0};
    void* p = table->alloc(device.device_id, bytes, alignment, &err);
    if (!p)
        spdlog::warn("allocating {} bytes on device '{}' failed: {}", bytes, table->name,
                     message[0] ? message : "no reason given");
    return p;
}

void* host_alloc(const idlab_host_t*, DLDevice device, uint64_t bytes, uint64_t alignment) {
    if (device.device_type != kDLCPU) return device_alloc(device, bytes, alignment);
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
    if (device.device_type == kDLCPU) {
        std::free(ptr);
        return;
    }
    if (const idlab_device_i* table = directory().find(device.device_type))
        table->free(device.device_id, ptr);
}

}  // namespace

const idlab_host_t* host_services_table() {
    static const idlab_host_t table = {
        sizeof(idlab_host_t), idlab_version_t IDLAB_ABI_VERSION_INIT, nullptr,
        &host_log,            &host_alloc,                            &host_free};
    return &table;
}

void register_device_table(const idlab_device_i* table) {
    DeviceDirectory& d = directory();
    std::lock_guard<std::mutex> lock(d.mutex);
    d.tables.push_back(table);
}

void withdraw_device_table(const idlab_device_i* table) {
    DeviceDirectory& d = directory();
    std::lock_guard<std::mutex> lock(d.mutex);
    auto it = std::find(d.tables.rbegin(), d.tables.rend(), table);
    if (it != d.tables.rend()) d.tables.erase(std::next(it).base());
}

}  // namespace idlab::host
