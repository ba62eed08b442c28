// plugins/cuda/kernels/adam_kernel.cu, compiled for the host emulation of CUDA.
#include "kernels/adam_kernel.cu"
