// plugins/cuda/kernels/online_softmax.cu, compiled for the host emulation of CUDA.
#include "kernels/online_softmax.cu"
