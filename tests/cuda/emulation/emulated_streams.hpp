// The emulation's streams: work enqueued on a stream runs at once, unless a recorder is
// installed for it (graph capture in the fake CUDA runtime), which then receives the work.
// No CUDA macros here, so that the fake runtime can include it next to the real CUDA headers.
#pragma once

#include <cstdint>
#include <functional>

struct CUstream_st;
typedef struct CUstream_st* cudaStream_t;  // the CUDA runtime's own definition

namespace idlab::cuda::emulation {

using Work = std::function<void()>;

void enqueue(cudaStream_t stream, Work work);
void set_recorder(cudaStream_t stream, std::function<void(Work)> recorder);
void clear_recorder(cudaStream_t stream);

// Kernels (grids) run so far, direct launches and graph replays alike.
int64_t grids_run();

}  // namespace idlab::cuda::emulation
