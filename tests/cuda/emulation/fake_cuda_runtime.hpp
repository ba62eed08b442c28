// A CUDA runtime and cuBLAS of our own, for the host emulation (tests only): the functions the
// CUDA plugin calls, with host memory as "device" memory, every stream executing at once, and
// graph capture that records kernel launches, copies and GEMMs for cudaGraphLaunch to replay.
// Linked instead of libcudart and libcublas, it runs the plugin's components, whole, on a CPU.
#pragma once

#include <cstdint>

namespace idlab::cuda::fake_runtime {

struct Counters {
    int64_t mallocs = 0, frees = 0;
    int64_t memcpys = 0;          // cudaMemcpy and cudaMemcpyAsync, any direction
    int64_t gemms = 0;            // cublasSgemm calls executed (replays included)
    int64_t captures = 0;         // graphs recorded
    int64_t graph_launches = 0;
    int64_t syncs_while_capturing = 0;  // must stay 0: a capture cannot wait for the device
    int64_t waits = 0;            // cudaStreamSynchronize and cudaDeviceSynchronize
    int64_t blocking_copies = 0;  // cudaMemcpy (which waits)
};

Counters& counters();

// How many GPUs cudaGetDeviceCount reports (1 by default; 0 to test the probe's message).
void set_device_count(int count);

}  // namespace idlab::cuda::fake_runtime
