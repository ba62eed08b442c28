// plugins/cuda/kernels/cross_entropy_kernels.cu, compiled for the host emulation of CUDA.
#include "kernels/cross_entropy_kernels.cu"
