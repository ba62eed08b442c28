// The parameters the CUDA data components sample from, taken from the CPU components
// themselves: core.vmf_clusters and core.contrastive_pairs are built on the host with the same
// config and seed (validation, warnings, cluster vectors and the mixing's rejection sampling
// all run once, as on the CPU), and these functions read off what a batch is drawn from.
// Host code only (no CUDA): tests/cuda uses it to check the mirrored sampler on the CPU.
#pragma once

#include "sample_rows.hpp"

#include "contrastive_pairs.hpp"
#include "vmf_clusters.hpp"

#include <vector>

namespace idlab::cuda {

// The conditional of a core data process as plain parameters.
ConditionalParams conditional_params(const core::LatentConditional& conditional, int64_t dim,
                                     double kappa);

// The mixing's matrices one after the other ([layers, dim, dim]); MixingParams::matrices is
// left for the caller to point at wherever they end up.
std::vector<double> mixing_matrices(const core::MixingMlp& mixing);
MixingParams mixing_params(const core::MixingMlp& mixing);

// The sampler of `data`; centers and mixing matrices left for the caller to place.
ClusterSampler cluster_sampler(const core::VmfClusters& data);
PairSampler pair_sampler(const core::ContrastivePairs& data, double kappa);

}  // namespace idlab::cuda
