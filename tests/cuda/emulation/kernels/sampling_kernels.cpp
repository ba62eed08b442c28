// plugins/cuda/kernels/sampling_kernels.cu, compiled for the host emulation of CUDA.
#include "kernels/sampling_kernels.cu"
