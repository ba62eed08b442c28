// cudaStream_t for the kernel launchers' declarations (see device_api.cuh for the emulation).
#pragma once

#if defined(IDLAB_CUDA_EMULATION)
struct CUstream_st;
typedef struct CUstream_st* cudaStream_t;  // the CUDA runtime's own definition
#else
#include <cuda_runtime_api.h>
#endif
