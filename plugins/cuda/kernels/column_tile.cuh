// Per-channel (column) work on a row-major [batch, width] activation, deterministic: a block
// owns kTileChannels channels and all rows; thread (c, lane) visits rows lane, lane + kLanes,
// ... of channel c, and column_total() adds the lanes' partial sums in a fixed tree order in
// double precision. Fixed shapes and orders give the same bits on every run.
#pragma once

#include "device_api.cuh"

#include <stdint.h>

namespace idlab::cuda::kernels {

constexpr int kTileChannels = 16;
constexpr int kLanes = 64;
constexpr int kTileThreads = kTileChannels * kLanes;  // 1024

struct ColumnTile {
    int c;        // channel within the tile
    int lane;     // row lane
    int64_t channel;  // global channel
    bool active;  // channel < width
};

__device__ inline ColumnTile column_tile(int64_t width) {
    ColumnTile t;
    t.c = threadIdx.x % kTileChannels;
    t.lane = threadIdx.x / kTileChannels;
    t.channel = static_cast<int64_t>(blockIdx.x) * kTileChannels + t.c;
    t.active = t.channel < width;
    return t;
}

inline unsigned column_tile_blocks(int64_t width) {
    return static_cast<unsigned>((width + kTileChannels - 1) / kTileChannels);
}

// The sum over all lanes of `v` for the calling thread's channel, returned to every lane.
// `scratch` is kTileThreads doubles of shared memory; every thread of the block must call it.
__device__ inline double column_total(double v, double* scratch) {
    const int c = threadIdx.x % kTileChannels;
    const int lane = threadIdx.x / kTileChannels;
    scratch[lane * kTileChannels + c] = v;
    __syncthreads();
    for (int half = kLanes / 2; half > 0; half /= 2) {
        if (lane < half) scratch[lane * kTileChannels + c] += scratch[(lane + half) * kTileChannels + c];
        __syncthreads();
    }
    const double total = scratch[c];
    __syncthreads();  // scratch is reused by the next call
    return total;
}

__device__ inline float leaky(float y, float slope) { return y > 0.0f ? y : y * slope; }
__device__ inline float leaky_derivative(float y, float slope) { return y > 0.0f ? 1.0f : slope; }

}  // namespace idlab::cuda::kernels
