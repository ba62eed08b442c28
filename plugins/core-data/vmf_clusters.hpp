// core.vmf_clusters: the paper's cluster-centric data generating process (§3.1, §4.1, Appx. D).
//
// K unit cluster vectors (uniform on S^(d-1), or concentrated around e1); each sample draws an
// instance index i ~ U{0..N-1}, its class label = i mod K, a latent z around v_label from the
// configured conditional (vMF by default) and the observation x = g(z) through a frozen
// injective mixing MLP. Optional label noise replaces the label and the index by uniform ones.
// Cluster vectors and g come from the run seed alone; batch randomness follows the per-sample
// Philox convention of <idlab/philox.hpp>. Since every sample reads only its own stream, a
// team of CreateContext::threads() threads splits the batch by rows and gives the same bits as
// one thread.
#pragma once

#include "latent_conditional.hpp"
#include "mixing_mlp.hpp"

#include <idlab/plugin.hpp>
#include <idlab/thread_team.hpp>

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
    double kappa() const { return kappa_; }
    double label_noise() const { return label_noise_; }
    // Row-major [clusters, latent_dim], unit rows; also exposed as the f64 constant
    // "cluster_vectors" (idlab.constants/1), next to "kappa" (f64 [1]).
    const std::vector<double>& cluster_vectors() const { return centers_; }
    const LatentConditional& conditional() const { return *conditional_; }
    const MixingMlp& mixing() const { return *mixing_; }

private:
    // Draws rows `rows` of a batch (see sample()) with the work space of team member `member`.
    void sample_rows(const idlab_rng_t& rng, Span rows, unsigned member, float* x, float* z,
                     int64_t* label, int64_t* index);
    static constexpr int64_t kRowsPerPart = 64;  // the team shares a batch in parts this large

    int64_t dim_;
    int64_t clusters_;
    int64_t samples_;
    double kappa_;  // kept at a fixed address: exposed as a constant
    double label_noise_;
    std::vector<double> centers_;
    std::unique_ptr<LatentConditional> conditional_;
    std::unique_ptr<MixingMlp> mixing_;
    std::vector<idlab_field_desc_t> fields_;
    // Per-sample work space, latent_dim per team member, sized at creation: sample() never
    // allocates.
    std::vector<double> z_, x_, scratch_;
    idlab::ThreadTeam team_;
};

}  // namespace idlab::core
