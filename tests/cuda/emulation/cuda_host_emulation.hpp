// A host emulation of CUDA's execution model, for running the CUDA plugin's kernels on a CPU
// (tests only; see plugins/cuda/kernels/device_api.cuh). A launch runs its blocks one after
// the other; the threads of a block are cooperative fibers on the calling thread, switched at
// __syncthreads() and at warp shuffles, so barriers and shuffles mean what they mean on a GPU.
// `__shared__` variables are function statics, shared by the fibers of the running block. A
// barrier that can never be passed (a thread returned while the others wait, a shuffle with
// lanes that exited) throws instead of hanging.
//
// Kernel launches go through enqueue(): they run at once unless the stream is being captured
// into a graph (the fake CUDA runtime of tests/cuda records them then).
#pragma once

#include <math.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <tuple>
#include <type_traits>
#include <utility>

#include "emulated_streams.hpp"

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __launch_bounds__(...)
#define __shared__ static
#define __restrict__ __restrict

namespace idlab::cuda::emulation {

struct Index {
    unsigned x = 0, y = 0, z = 0;
};

const Index& thread_index();
const Index& block_index();
const Index& block_dim();
const Index& grid_dim();

// Block-wide barrier.
void sync_block();
// Warp-wide exchange: every active lane of the caller's warp passes `bits`; each gets back the
// bits of lane `source` (its own when `source` is outside the warp).
uint64_t warp_exchange(uint64_t bits, int source);

// Runs `body` for every thread of `grid` blocks of `block` threads.
void run_grid(unsigned grid, unsigned block, const std::function<void()>& body);

// Kernel launches: the arguments are copied when the launch is enqueued, as CUDA does.
template <class... Params, class... Args>
void launch(cudaStream_t stream, void (*kernel)(Params...), unsigned grid, unsigned block, Args&&... args) {
    auto params = std::make_shared<std::tuple<std::decay_t<Params>...>>(std::forward<Args>(args)...);
    enqueue(stream, [kernel, params, grid, block] {
        run_grid(grid, block, [&] { std::apply(kernel, *params); });
    });
}

template <class T>
T shuffle(T v, int source) {
    static_assert(sizeof(T) <= sizeof(uint64_t), "shuffles move up to 64 bits");
    uint64_t bits = 0;
    std::memcpy(&bits, &v, sizeof(T));
    bits = warp_exchange(bits, source);
    T out;
    std::memcpy(&out, &bits, sizeof(T));
    return out;
}

}  // namespace idlab::cuda::emulation

#define threadIdx (::idlab::cuda::emulation::thread_index())
#define blockIdx (::idlab::cuda::emulation::block_index())
#define blockDim (::idlab::cuda::emulation::block_dim())
#define gridDim (::idlab::cuda::emulation::grid_dim())

inline void __syncthreads() { ::idlab::cuda::emulation::sync_block(); }

template <class T>
T __shfl_down_sync(unsigned /*mask*/, T v, int delta) {
    const int lane = static_cast<int>(threadIdx.x % 32);
    return ::idlab::cuda::emulation::shuffle(v, lane + delta < 32 ? lane + delta : lane);
}

template <class T>
T __shfl_sync(unsigned /*mask*/, T v, int source) {
    return ::idlab::cuda::emulation::shuffle(v, source);
}
