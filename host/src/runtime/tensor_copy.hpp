// The one pair of functions through which checkpoints read and write the contents of a
// component's tensors (parameters and state): view -> host bytes and host bytes -> view.
// A CPU view is copied with memcpy; a view on the run's device goes through its DeviceRuntime
// (a copy on the run's stream, then a wait), so device memory plugs in here and nowhere else.
#pragma once

#include "runtime/device_runtime.hpp"

#include <idlab/plugin.h>

#include <cstdint>
#include <string>

namespace idlab::host {

// "f32 [250, 50]", for messages.
std::string tensor_description(const DLTensor& t);

// The idlab dtype of a view, or 0 when it is none of f32, f64, i64.
int32_t idlab_dtype_of(const DLTensor& t);
const char* idlab_dtype_name(int32_t dtype);

// Copies the view's contents into `host` (tensor_bytes(view) bytes). `device` serves views that
// are not on the CPU; a view on any other device is refused. Throws std::runtime_error naming
// `what`.
void view_to_host(const DLTensor& view, void* host, DeviceRuntime& device, const std::string& what);

// Overwrites the view's contents with `host` (tensor_bytes(view) bytes).
void host_to_view(const void* host, const DLTensor& view, DeviceRuntime& device,
                  const std::string& what);

}  // namespace idlab::host
