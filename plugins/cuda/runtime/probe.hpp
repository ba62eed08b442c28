// Whether the CUDA plugin can run here: a CUDA driver, at least one GPU, and GPU 0 new enough
// for the kernels this build carries (compute capability 8.0 and up). The reason for a "no"
// starts with "no CUDA device", which the host prints in `idlab plugins` and for a recipe that
// asks for run.device = "cuda".
#pragma once

#include <string>

namespace idlab::cuda {

bool probe(std::string& reason);

}  // namespace idlab::cuda
