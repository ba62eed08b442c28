// core.sgd: torch.optim.SGD (maximize off) on float32 CPU parameters. Per step:
//     g = grad + weight_decay * p
//     with momentum:  buf = g on the first step, else buf = momentum buf + (1 - dampening) g;
//                     g = g + momentum buf (nesterov) or g = buf
//     p -= lr g
#pragma once

#include "bound_parameters.hpp"

#include <idlab/plugin.hpp>

#include <cstdint>
#include <vector>

namespace idlab::core {

class Sgd final : public idlab::Optimizer {
public:
    static idlab::ComponentSpec spec();
    Sgd(const idlab::CreateContext& ctx, const idlab::Config& config);

    // Takes the parameters to update and forgets the momentum (a second bind starts afresh).
    void bind(const idlab_param_view_t* params, uint32_t count) override;
    // One update of every bound parameter from its current gradient; allocates nothing.
    void step(const idlab_exec_ctx_t& ctx) override;

    int64_t steps_taken() const { return steps_; }

private:
    double lr_, momentum_, dampening_, weight_decay_;
    bool nesterov_;
    std::vector<BoundParameter> params_;
    std::vector<std::vector<float>> buffers_;  // momentum buffers (empty without momentum)
    int64_t steps_ = 0;
    bool bound_ = false;
};

}  // namespace idlab::core
