// CPU copies of device tensors that CPU code (the metrics) reads. Each mirror is allocated once,
// when it is added; refresh() copies every source into its mirror and waits once. A source
// already on the CPU is its own mirror and is never copied.
#pragma once

#include "runtime/device_runtime.hpp"
#include "runtime/tensor_buffer.hpp"

#include <deque>
#include <string>

namespace idlab::host {

class HostMirrors {
public:
    explicit HostMirrors(DeviceRuntime& device) : device_(device) {}

    // The CPU view to read `source` through. The source's storage must outlive the mirrors
    // (host buffers allocated once, or views a component keeps for its lifetime). Adding the
    // same storage twice gives the same mirror.
    DLTensor view_of(const std::string& name, const DLTensor& source);

    // Copies every device source into its mirror, then waits for the device.
    void refresh();
    // Device-to-CPU copies a refresh() makes.
    size_t copies_per_refresh() const { return mirrors_.size(); }

private:
    struct Mirror {
        DLTensor source;
        TensorBuffer copy;
    };
    DeviceRuntime& device_;
    std::deque<Mirror> mirrors_;  // deque: views of the copies stay valid as more are added
};

}  // namespace idlab::host
