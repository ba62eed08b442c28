// The CUDA plugin's device (ABI 1.2 idlab_device_i, named "cuda"): device memory with
// cudaMalloc, copies with cudaMemcpyAsync between the CPU and the GPU (or within the GPU),
// non-blocking streams, and waits.
#pragma once

#include <idlab/plugin.h>

namespace idlab::cuda {

const idlab_device_i* device_table();

}  // namespace idlab::cuda
