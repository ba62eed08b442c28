// plugins/cuda/kernels/mlp_kernels.cu, compiled for the host emulation of CUDA.
#include "kernels/mlp_kernels.cu"
