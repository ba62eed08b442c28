// core.adam: torch.optim.Adam (amsgrad off, maximize off) on float32 CPU parameters.
// Per step t (counted by the optimizer itself, from 1):
//     g = grad + weight_decay * p          (L2 added to the gradient, not AdamW's decoupled decay)
//     m = beta1 m + (1 - beta1) g,   v = beta2 v + (1 - beta2) g^2
//     p -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
//
// Threads: with CreateContext::threads() = T > 1 and enough elements (kMinElementsToSplit), a
// team of T threads shares the update: member m takes the m-th of T even slices of every
// parameter tensor (idlab::split_evenly). A component that writes each gradient tensor split the
// same way (core.mlp's weight gradients by output channels, core.cross_entropy's head by
// classes) leaves every slice in the cache of the member that updates it, and the moments stay
// with their member from step to step. Every element's update is the same
// arithmetic wherever a slice starts (adam.cpp is compiled without FMA contraction, so the vector
// loop and its scalar remainder round alike): any T gives the same bits.
#pragma once

#include "adam_settings.hpp"
#include "bound_parameters.hpp"

#include <idlab/plugin.hpp>
#include <idlab/thread_team.hpp>

#include <cstdint>
#include <vector>

namespace idlab::core {

class Adam final : public idlab::Optimizer {
public:
    static idlab::ComponentSpec spec();
    Adam(const idlab::CreateContext& ctx, const idlab::Config& config);

    // Takes the parameters to update and zeroes the moments (a second bind starts afresh).
    void bind(const idlab_param_view_t* params, uint32_t count) override;
    // One update of every bound parameter from its current gradient; allocates nothing.
    void step(const idlab_exec_ctx_t& ctx) override;

    int64_t steps_taken() const { return steps_; }

    // Below this many elements in all, one thread does the whole update: waking the team would
    // cost more than it saves.
    static constexpr int64_t kMinElementsToSplit = 1 << 16;

    struct Scalars;  // the per-step constants of the update (adam.cpp)

private:
    // Updates the elements `range` of parameter i.
    void update(size_t i, Span range, const Scalars& k);

    AdamSettings settings_;
    std::vector<BoundParameter> params_;
    int64_t total_ = 0;                      // elements of every parameter together
    std::vector<std::vector<float>> m_, v_;  // first and second moments, one per parameter
    int64_t steps_ = 0;
    bool bound_ = false;
    idlab::ThreadTeam team_;
};

}  // namespace idlab::core
