#include "adam.hpp"

#include <idlab/vector_clones.hpp>

#include <algorithm>
#include <cmath>

namespace idlab::core {

// The per-step constants of the update, in float.
struct Adam::Scalars {
    float b1, b2, one_minus_b1, one_minus_b2;
    float neg_step_size;  // -lr / (1 - beta1^t)
    float bc2_sqrt;       // sqrt(1 - beta2^t)
    float eps, weight_decay;
};

namespace {

// One fused pass over a parameter and its moments; written as a plain loop over contiguous
// arrays so that it becomes vector code (sqrt and division included, see CMakeLists.txt).
template <bool kWeightDecay>
IDLAB_VECTOR_CLONES void adam_update(float* __restrict p, const float* __restrict grad,
                                     float* __restrict m, float* __restrict v, int64_t n,
                                     const Adam::Scalars k) {
    for (int64_t i = 0; i < n; ++i) {
        const float g = kWeightDecay ? grad[i] + k.weight_decay * p[i] : grad[i];
        const float mi = k.b1 * m[i] + k.one_minus_b1 * g;
        const float vi = k.b2 * v[i] + k.one_minus_b2 * g * g;
        m[i] = mi;
        v[i] = vi;
        p[i] += k.neg_step_size * (mi / (std::sqrt(vi) / k.bc2_sqrt + k.eps));
    }
}

}  // namespace

idlab::ComponentSpec Adam::spec() {
    using idlab::Param;
    idlab::ComponentSpec s;
    s.id = "core.adam";
    s.version = "1.0.0";
    s.summary = "Adam with PyTorch semantics (bias-corrected moments, L2 weight decay)";
    s.doc =
        "torch.optim.Adam without amsgrad: moments m, v with bias correction; weight_decay adds "
        "weight_decay * p to the gradient (L2, not AdamW).";
    s.devices = IDLAB_DEVICE_CPU;
    s.params = {
        Param::floating("lr", "1e-3", "learning rate").above(0),
        Param::floating("beta1", "0.9", "decay of the first moment").at_least(0).below(1),
        Param::floating("beta2", "0.999", "decay of the second moment").at_least(0).below(1),
        Param::floating("eps", "1e-8", "added to the denominator").at_least(0),
        Param::floating("weight_decay", "0.0", "L2 penalty added to the gradient").at_least(0),
    };
    return s;
}

Adam::Adam(const idlab::CreateContext& ctx, const idlab::Config& config)
    : settings_(config), team_(ctx.threads()) {
    if (ctx.device().device_type != kDLCPU)
        throw idlab::Error(IDLAB_STATUS_UNSUPPORTED, "core.adam runs on the CPU only");
}

void Adam::bind(const idlab_param_view_t* params, uint32_t count) {
    params_ = bind_parameters(params, count, "core.adam");
    clear_state();
    m_.clear();
    v_.clear();
    total_ = 0;
    for (const BoundParameter& p : params_) {
        m_.emplace_back(p.size, 0.0f);
        v_.emplace_back(p.size, 0.0f);
        total_ += p.size;
    }
    steps_ = 0;
    bound_ = true;
    // Everything a later step depends on, for checkpoints (idlab.state/1), with PyTorch's names.
    // Registered once m_ and v_ are complete: the views keep raw pointers into them.
    for (size_t i = 0; i < params_.size(); ++i) {
        add_state(params_[i].name + ".exp_avg", m_[i].data(), params_[i].shape);
        add_state(params_[i].name + ".exp_avg_sq", v_[i].data(), params_[i].shape);
    }
    add_state("step", &steps_, {1});
}

void Adam::step(const idlab_exec_ctx_t& /*ctx*/) {
    if (!bound_) idlab::argument_error("core.adam: step() before bind()");
    ++steps_;
    const Scalars k = settings_.scalars<Scalars>(steps_);

    if (team_.size() == 1 || total_ < kMinElementsToSplit) {
        for (size_t i = 0; i < params_.size(); ++i) update(i, Span{0, params_[i].size}, k);
        return;
    }
    // Part m is the m-th slice of every tensor (see adam.hpp).
    const int64_t parts = team_.size();
    team_.run([&](idlab::TeamMember& me) {
        me.share(parts, [&](int64_t part) {
            for (size_t i = 0; i < params_.size(); ++i)
                update(i, split_evenly(params_[i].size, parts, part), k);
        });
    });
}

void Adam::update(size_t i, Span range, const Scalars& k) {
    if (range.empty()) return;
    const BoundParameter& p = params_[i];
    const int64_t first = range.begin;
    float* const m = m_[i].data() + first;
    float* const v = v_[i].data() + first;
    if (k.weight_decay != 0.0f)
        adam_update<true>(p.value + first, p.grad + first, m, v, range.size(), k);
    else
        adam_update<false>(p.value + first, p.grad + first, m, v, range.size(), k);
}

}  // namespace idlab::core
