// The one pair of functions through which checkpoints read and write the contents of a
// component's tensors (parameters and state): view -> host bytes and host bytes -> view.
// A CPU view is copied with memcpy; a view on another device goes through that device's
// idlab_device_i (copy, then synchronize), so device memory plugs in here and nowhere else.
#pragma once

#include <idlab/plugin.h>

#include <cstdint>
#include <string>

namespace idlab::host {

// Bytes of a tensor's contents (elements times element size; lanes included).
uint64_t tensor_byte_size(const DLTensor& t);

// "f32 [250, 50]", for messages.
std::string tensor_description(const DLTensor& t);

// The idlab dtype of a view, or 0 when it is none of f32, f64, i64.
int32_t idlab_dtype_of(const DLTensor& t);
const char* idlab_dtype_name(int32_t dtype);

// Copies the view's contents into `host` (tensor_byte_size bytes). `device` serves views that
// are not on the CPU (null: such a view is refused). Throws std::runtime_error naming `what`.
void view_to_host(const DLTensor& view, void* host, const idlab_device_i* device,
                  const std::string& what);

// Overwrites the view's contents with `host` (tensor_byte_size bytes).
void host_to_view(const void* host, const DLTensor& view, const idlab_device_i* device,
                  const std::string& what);

}  // namespace idlab::host
