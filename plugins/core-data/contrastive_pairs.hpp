// core.contrastive_pairs: the InfoNCE setting of Zimmermann et al. 2021, "Contrastive Learning
// Inverts the Data Generating Process" (reference: brendel-group/cl-ica main_mlp.py).
//
// An anchor latent z uniform on the box [0, 1]^d or on the sphere S^(d-1), a positive z_pos
// drawn from a conditional around it, and both observed through the same frozen injective
// mixing MLP g: x = g(z), x_pos = g(z_pos). Negatives are the other rows of the batch (the loss
// picks them). In the box, every coordinate of z_pos that falls outside [0, 1] is redrawn
// (cl-ica's coordinate-wise rejection, i.e. a coordinate-wise truncated conditional); on the
// sphere a Normal or Laplace positive is projected back, a vMF one is exact. A team of
// CreateContext::threads() threads splits a batch by rows; every sample reads only its own
// Philox stream, so the bits do not depend on the team.
#pragma once

#include "latent_conditional.hpp"
#include "mixing_mlp.hpp"

#include <idlab/plugin.hpp>
#include <idlab/thread_team.hpp>

#include <cstdint>
#include <memory>
#include <vector>

namespace idlab::core {

class ContrastivePairs final : public idlab::Data {
public:
    static constexpr const char* kId = "core.contrastive_pairs";
    static idlab::ComponentSpec spec();

    ContrastivePairs(const idlab::CreateContext& ctx, const idlab::Config& config);

    const std::vector<idlab_field_desc_t>& fields() const override { return fields_; }
    void sample(const idlab_exec_ctx_t& ctx, int64_t batch, const idlab::TensorSet& out) override;

    int64_t latent_dim() const { return dim_; }
    bool on_sphere() const { return sphere_; }
    const LatentConditional& conditional() const { return *conditional_; }
    const MixingMlp& mixing() const { return *mixing_; }

private:
    // z: uniform on the box or the sphere.
    void sample_anchor(PhiloxStream& rng, double* z) const;
    // z_pos around z.
    void sample_positive(PhiloxStream& rng, const double* z, double* z_pos) const;
    static constexpr int64_t kRowsPerPart = 64;  // the team shares a batch in parts this large

    int64_t dim_;
    bool sphere_;
    std::unique_ptr<LatentConditional> conditional_;
    std::unique_ptr<MixingMlp> mixing_;
    std::vector<idlab_field_desc_t> fields_;
    // Per-sample work space, latent_dim per team member, sized at creation: sample() never
    // allocates.
    std::vector<double> z_, z_pos_, x_, scratch_;
    idlab::ThreadTeam team_;
};

}  // namespace idlab::core
