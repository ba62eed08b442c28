// plugins/cuda/kernels/infonce_kernels.cu, compiled for the host emulation of CUDA.
#include "kernels/infonce_kernels.cu"
