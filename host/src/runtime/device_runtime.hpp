// The device a run's tensors live on. For run.device = "cpu" that is host memory and there is
// no stream; for any other device it is the device table (ABI 1.2) of the plugin that serves
// it, with the one stream the run creates and puts into every execution context. Everything
// the trainer allocates, copies or waits for goes through here, so the loop itself stays the
// same on every device.
#pragma once

#include <idlab/plugin.h>

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace idlab::host {

// A device call failed ("device 'cuda': copy failed: ...").
struct DeviceError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Bytes of a tensor's elements (shape x dtype), ignoring strides.
size_t tensor_bytes(const DLTensor& t);

class DeviceRuntime {
public:
    // The CPU.
    DeviceRuntime();
    // The device `table` serves (device_id within it); creates the run's stream.
    explicit DeviceRuntime(const idlab_device_i* table, int32_t device_id = 0);
    ~DeviceRuntime();
    DeviceRuntime(const DeviceRuntime&) = delete;
    DeviceRuntime& operator=(const DeviceRuntime&) = delete;

    bool is_cpu() const { return table_ == nullptr; }
    DLDevice device() const { return device_; }
    void* stream() const { return stream_; }
    std::string name() const;  // "cpu", "cuda"

    // Memory on this device, `bytes` rounded up to whole 64-byte blocks (at least one); freed
    // only through release(). Throws DeviceError when the device has none left.
    void* allocate(size_t bytes);
    void release(void* ptr);
    // Sets `bytes` bytes at `ptr` (memory of this device) to zero and waits.
    void zero(void* ptr, size_t bytes);

    // dst = src: same dtype and shape, both compact, each on the CPU or on this device.
    // Ordered on the stream (on a device it may return before the copy is done).
    void copy(const DLTensor& src, DLTensor& dst);
    // Returns once everything enqueued on the stream has finished.
    void synchronize();

    // The contents of `view` (on the CPU or this device) as host bytes: copies them to `host`
    // (tensor_bytes(view) bytes) and waits. Checkpoints read tensors through this.
    void read(const DLTensor& view, void* host);
    // The reverse: writes tensor_bytes(view) bytes from `host` into `view` and waits.
    void write(const void* host, const DLTensor& view);

private:
    [[noreturn]] void fail(const char* what, const char* message) const;
    void require_mine(const DLTensor& view) const;

    const idlab_device_i* table_ = nullptr;
    DLDevice device_{kDLCPU, 0};
    void* stream_ = nullptr;
};

}  // namespace idlab::host
