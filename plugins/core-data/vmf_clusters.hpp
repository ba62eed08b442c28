// core.vmf_clusters: the paper's cluster-centric data generating process (§3.1, §4.1).
//
// K cluster vectors uniform on S^(d-1); each sample draws an instance index i ~ U{0..N-1},
// its class label = i mod K, a latent z ~ vMF(v_label, kappa) and the observation x = g(z)
// through a frozen injective mixing MLP. Cluster vectors and g come from the run seed alone;
// batch randomness follows the per-sample Philox convention of <idlab/philox.hpp>.
#pragma once

#include "mixing_mlp.hpp"
#include "vmf_sampler.hpp"

#include <idlab/plugin.hpp>

#include <cstdint>
#include <memory>
#include <vector>

namespace idlab::core {

class VmfClusters final : public idlab::Data {
public:
    static constexpr const char* kId = "core.vmf_clusters";
    static idlab::ComponentSpec spec();

    VmfClusters(const idlab::CreateContext& ctx, const idlab::Config& config);

    const std::vector<idlab_field_desc_t>& fields() const override { return fields_; }
    void sample(const idlab_exec_ctx_t& ctx, int64_t batch, const idlab::TensorSet& out) override;

    int64_t latent_dim() const { return dim_; }
    int64_t clusters() const { return clusters_; }
    int64_t samples() const { return samples_; }
    // Row-major [clusters, latent_dim], unit rows; also exposed as the f64 constant
    // "cluster_vectors" (idlab.constants/1).
    const std::vector<double>& cluster_vectors() const { return centers_; }
    const MixingMlp& mixing() const { return *mixing_; }

private:
    int64_t dim_;
    int64_t clusters_;
    int64_t samples_;
    std::vector<double> centers_;
    std::unique_ptr<VmfSampler> vmf_;
    std::unique_ptr<MixingMlp> mixing_;
    std::vector<idlab_field_desc_t> fields_;
    // Per-sample work space, sized at creation: sample() never allocates.
    std::vector<double> z_, x_, scratch_;
};

}  // namespace idlab::core
