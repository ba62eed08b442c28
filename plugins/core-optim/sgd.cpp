#include "sgd.hpp"

namespace idlab::core {

idlab::ComponentSpec Sgd::spec() {
    using idlab::Param;
    idlab::ComponentSpec s;
    s.id = "core.sgd";
    s.version = "1.0.0";
    s.summary = "stochastic gradient descent with PyTorch semantics (momentum, Nesterov)";
    s.doc =
        "torch.optim.SGD: the momentum buffer starts as the first gradient, then "
        "buf = momentum * buf + (1 - dampening) * g; weight_decay adds weight_decay * p to the "
        "gradient. Nesterov needs momentum > 0 and dampening = 0.";
    s.devices = IDLAB_DEVICE_CPU;
    s.params = {
        Param::floating("lr", "0.01", "learning rate").above(0),
        Param::floating("momentum", "0.0", "momentum factor (0: plain SGD)").at_least(0),
        Param::floating("dampening", "0.0", "dampening of the momentum").at_least(0).at_most(1),
        Param::boolean("nesterov", "false", "Nesterov momentum"),
        Param::floating("weight_decay", "0.0", "L2 penalty added to the gradient").at_least(0),
    };
    return s;
}

Sgd::Sgd(const idlab::CreateContext& ctx, const idlab::Config& config)
    : lr_(config.get_float("lr")),
      momentum_(config.get_float("momentum")),
      dampening_(config.get_float("dampening")),
      weight_decay_(config.get_float("weight_decay")),
      nesterov_(config.get_bool("nesterov")) {
    if (ctx.device().device_type != kDLCPU)
        throw idlab::Error(IDLAB_STATUS_UNSUPPORTED, "core.sgd runs on the CPU only");
    if (!(lr_ > 0.0)) idlab::config_error("lr", "lr must be > 0");
    if (!(momentum_ >= 0.0)) idlab::config_error("momentum", "momentum must be >= 0");
    if (!(dampening_ >= 0.0 && dampening_ <= 1.0))
        idlab::config_error("dampening", "dampening must lie in [0, 1]");
    if (!(weight_decay_ >= 0.0)) idlab::config_error("weight_decay", "weight_decay must be >= 0");
    if (nesterov_ && (momentum_ <= 0.0 || dampening_ != 0.0))
        idlab::config_error("nesterov", "nesterov = true needs momentum > 0 and dampening = 0");
}

void Sgd::bind(const idlab_param_view_t* params, uint32_t count) {
    params_ = bind_parameters(params, count, "core.sgd");
    clear_state();
    buffers_.clear();
    if (momentum_ != 0.0)
        for (const BoundParameter& p : params_) buffers_.emplace_back(p.size, 0.0f);
    steps_ = 0;
    bound_ = true;
    // Everything a later step depends on, for checkpoints (idlab.state/1): the momentum buffers
    // (PyTorch's name) and the step count, which decides whether a buffer starts afresh.
    for (size_t i = 0; i < buffers_.size(); ++i)
        add_state(params_[i].name + ".momentum_buffer", buffers_[i].data(), params_[i].shape);
    add_state("step", &steps_, {1});
}

void Sgd::step(const idlab_exec_ctx_t& /*ctx*/) {
    if (!bound_) idlab::argument_error("core.sgd: step() before bind()");
    const float lr = static_cast<float>(lr_), mu = static_cast<float>(momentum_);
    const float keep = static_cast<float>(1.0 - dampening_), wd = static_cast<float>(weight_decay_);
    const bool first = steps_ == 0;
    for (size_t k = 0; k < params_.size(); ++k) {
        float* p = params_[k].value;
        const float* grad = params_[k].grad;
        float* buf = buffers_.empty() ? nullptr : buffers_[k].data();
        for (int64_t i = 0; i < params_[k].size; ++i) {
            float g = wd != 0.0f ? grad[i] + wd * p[i] : grad[i];
            if (buf) {
                // PyTorch starts the buffer at the gradient itself, without dampening.
                buf[i] = first ? g : mu * buf[i] + keep * g;
                g = nesterov_ ? g + mu * buf[i] : buf[i];
            }
            p[i] -= lr * g;
        }
    }
    ++steps_;
}

}  // namespace idlab::core
