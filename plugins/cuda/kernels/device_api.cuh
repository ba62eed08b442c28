// What the kernel sources see of CUDA. Built by nvcc, this is CUDA itself; built as plain C++
// with IDLAB_CUDA_EMULATION (tests/cuda), kernels run on the CPU under a host emulation of
// CUDA's execution model (blocks, threads, __syncthreads, warp shuffles), so that their logic
// is tested against the CPU components on machines without a GPU.
//   IDLAB_LAUNCH(kernel, grid, block, stream, args...)   kernel<<<grid, block, 0, stream>>>(args...)
//   IDLAB_CHECK_LAUNCH("name")                           throws when the launch was refused
#pragma once

#if defined(IDLAB_CUDA_EMULATION)

#include "cuda_host_emulation.hpp"

#define IDLAB_LAUNCH(kernel, grid, block, stream, ...) \
    ::idlab::cuda::emulation::launch(stream, kernel, grid, block, __VA_ARGS__)
#define IDLAB_CHECK_LAUNCH(name) ((void)0)

#else

#include <cuda_runtime.h>

namespace idlab::cuda {
void check_launch(const char* kernel);  // runtime/cuda_check.cpp
}

#define IDLAB_LAUNCH(kernel, grid, block, stream, ...) kernel<<<(grid), (block), 0, (stream)>>>(__VA_ARGS__)
#define IDLAB_CHECK_LAUNCH(name) ::idlab::cuda::check_launch(name)

#endif
