// core.adam: torch.optim.Adam (amsgrad off, maximize off) on float32 CPU parameters.
// Per step t (counted by the optimizer itself, from 1):
//     g = grad + weight_decay * p          (L2 added to the gradient, not AdamW's decoupled decay)
//     m = beta1 m + (1 - beta1) g,   v = beta2 v + (1 - beta2) g^2
//     p -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
#pragma once

#include "bound_parameters.hpp"

#include <idlab/plugin.hpp>

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

private:
    double lr_, beta1_, beta2_, eps_, weight_decay_;
    std::vector<BoundParameter> params_;
    std::vector<std::vector<float>> m_, v_;  // first and second moments, one per parameter
    int64_t steps_ = 0;
    bool bound_ = false;
};

}  // namespace idlab::core
