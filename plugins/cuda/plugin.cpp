// The idlab.cuda plugin: the GPU hot path of the synthetic experiments (run.device = "cuda"),
// behind the same component ids, parameters and contracts as the core CPU components. It
// serves the device "cuda" (runtime/device_table.hpp) and is listed as unavailable, with the
// reason, on a machine without a usable GPU (runtime/probe.hpp).
#include "cuda_adam.hpp"
#include "cuda_data.hpp"
#include "cuda_losses.hpp"
#include "cuda_mlp.hpp"
#include "runtime/device_table.hpp"
#include "runtime/probe.hpp"

#include <idlab/plugin.hpp>

IDLAB_PLUGIN((idlab::PluginInfo{
                 "idlab.cuda", "idlab CUDA", "idlab", "1.0.0",
                 "GPU implementations (CUDA, cuBLAS) of core.vmf_clusters, core.contrastive_pairs, "
                 "core.mlp, core.cross_entropy, core.infonce and core.adam for run.device = \"cuda\"",
                 &idlab::cuda::probe,
                 {idlab::cuda::device_table()}}),
             idlab::cuda::CudaVmfClusters, idlab::cuda::CudaContrastivePairs, idlab::cuda::CudaMlp,
             idlab::cuda::CudaCrossEntropy, idlab::cuda::CudaInfoNce, idlab::cuda::CudaAdam)
