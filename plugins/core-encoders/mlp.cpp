#include "mlp.hpp"

#include "dense.hpp"
#include "hidden_block.hpp"
#include <idlab/seeded_uniform.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <utility>

namespace idlab::core {

idlab::ComponentSpec Mlp::spec() {
    using idlab::Param;
    idlab::ComponentSpec s;
    s.id = "core.mlp";
    s.version = "1.0.0";
    s.summary = "MLP encoder: Linear -> BatchNorm1d -> LeakyReLU blocks, then a Linear output";
    s.doc =
        "Hidden block = Linear(bias) -> BatchNorm1d (if batch_norm) -> LeakyReLU(negative_slope); "
        "output = Linear(bias), optionally divided by its L2 norm. PyTorch default "
        "initialisation; training uses batch statistics, evaluation the running statistics.";
    s.devices = IDLAB_DEVICE_CPU;
    s.params = {
        Param::int_list("hidden", "[50, 250, 250, 250, 250, 50]", "widths of the hidden layers")
            .at_least(1),
        Param::integer("out_dim", "0", "output width; 0 = the width of the data field \"z\"")
            .at_least(0),
        Param::boolean("batch_norm", "true", "BatchNorm1d after every hidden Linear"),
        Param::floating("negative_slope", "0.01", "LeakyReLU slope for negative inputs").at_least(0),
        Param::boolean("normalize_output", "false", "divide each output by its L2 norm"),
        Param::floating("bn_momentum", "0.1", "running-statistics momentum (PyTorch convention)")
            .above(0)
            .at_most(1),
        Param::floating("bn_eps", "1e-5", "added to the variance before the square root").above(0),
    };
    return s;
}

Mlp::Mlp(const idlab::CreateContext& ctx, const idlab::Config& config) {
    if (ctx.device().device_type != kDLCPU)
        throw idlab::Error(IDLAB_STATUS_UNSUPPORTED, "core.mlp runs on the CPU only");
    in_dim_ = ctx.input_dim();
    if (in_dim_ < 1) idlab::argument_error("core.mlp: the input width must be at least 1");

    const std::vector<int64_t> hidden = config.get_int_list("hidden");
    for (int64_t w : hidden)
        if (w < 1) idlab::config_error("hidden", "every hidden width must be at least 1, got " + std::to_string(w));

    out_dim_ = config.get_int("out_dim");
    if (out_dim_ < 0) idlab::config_error("out_dim", "out_dim must be >= 0");
    if (out_dim_ == 0) {
        const idlab_field_desc_t* z = ctx.find_field("z");
        if (!z || z->width < 1)
            idlab::config_error("out_dim",
                                "out_dim = 0 means the width of the data field 'z', but the data "
                                "has no such field; set out_dim");
        out_dim_ = z->width;
    }

    batch_norm_ = config.get_bool("batch_norm");
    normalize_output_ = config.get_bool("normalize_output");
    const double slope = config.get_float("negative_slope");
    if (!(slope >= 0.0)) idlab::config_error("negative_slope", "negative_slope must be >= 0");
    const double momentum = config.get_float("bn_momentum");
    if (!(momentum > 0.0 && momentum <= 1.0))
        idlab::config_error("bn_momentum", "bn_momentum must lie in (0, 1]");
    const double eps = config.get_float("bn_eps");
    if (!(eps > 0.0)) idlab::config_error("bn_eps", "bn_eps must be > 0");
    slope_ = static_cast<float>(slope);
    momentum_ = static_cast<float>(momentum);
    eps_ = static_cast<float>(eps);

    const std::string stage = ctx.stage();
    layers_.resize(hidden.size());
    int64_t prev = in_dim_;
    max_width_ = std::max(in_dim_, out_dim_);
    for (size_t i = 0; i < hidden.size(); ++i) {
        init_layer(layers_[i], prev, hidden[i], batch_norm_, ctx.seed(), stage,
                   "layer" + std::to_string(i));
        prev = hidden[i];
        max_width_ = std::max(max_width_, prev);
    }
    init_layer(output_, prev, out_dim_, false, ctx.seed(), stage, "out");

    // Registered once every vector has its final buffer (the views keep raw pointers).
    for (size_t i = 0; i < layers_.size(); ++i)
        register_layer(layers_[i], "layer" + std::to_string(i), "bn" + std::to_string(i));
    register_layer(output_, "out", "");

    acc0_.assign(max_width_, 0.0);
    acc1_.assign(max_width_, 0.0);
    for (std::vector<float>* f : {&f0_, &f1_, &f2_, &f3_}) f->assign(max_width_, 0.0f);
}

ChannelScratch Mlp::scratch() {
    return ChannelScratch{acc0_.data(), acc1_.data(), f0_.data(), f1_.data(), f2_.data(), f3_.data()};
}

void Mlp::init_layer(Layer& layer, int64_t in, int64_t out, bool with_bn, uint64_t seed,
                     const std::string& stage, const std::string& name) {
    layer.in = in;
    layer.out = out;
    // PyTorch nn.Linear default: weight and bias ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
    const float bound = static_cast<float>(1.0 / std::sqrt(static_cast<double>(in)));
    layer.weight.resize(out * in);
    layer.bias.resize(out);
    SeededUniform wrng(seed, stage, name + ".weight");
    for (float& w : layer.weight) w = wrng.symmetric(bound);
    SeededUniform brng(seed, stage, name + ".bias");
    for (float& b : layer.bias) b = brng.symmetric(bound);
    layer.grad_weight.assign(out * in, 0.0f);
    layer.grad_bias.assign(out, 0.0f);
    if (with_bn) {
        layer.gamma.assign(out, 1.0f);
        layer.beta.assign(out, 0.0f);
        layer.grad_gamma.assign(out, 0.0f);
        layer.grad_beta.assign(out, 0.0f);
        layer.running_mean.assign(out, 0.0f);
        layer.running_var.assign(out, 1.0f);
        for (std::vector<float>* v : {&layer.batch_mean, &layer.invstd, &layer.scale, &layer.shift})
            v->assign(out, 0.0f);
    }
}

void Mlp::register_layer(Layer& layer, const std::string& name, const std::string& bn_name) {
    add_parameter(name + ".weight", layer.weight.data(), layer.grad_weight.data(),
                  {layer.out, layer.in});
    add_parameter(name + ".bias", layer.bias.data(), layer.grad_bias.data(), {layer.out});
    if (!layer.gamma.empty()) {
        add_parameter(bn_name + ".weight", layer.gamma.data(), layer.grad_gamma.data(), {layer.out});
        add_parameter(bn_name + ".bias", layer.beta.data(), layer.grad_beta.data(), {layer.out});
        // What evaluation normalises with: checkpoints save it through idlab.state/1.
        add_state(bn_name + ".running_mean", layer.running_mean.data(), {layer.out});
        add_state(bn_name + ".running_var", layer.running_var.data(), {layer.out});
    }
}

void Mlp::ensure_train_capacity(int64_t batch) {
    if (batch <= train_capacity_) return;
    input_.resize(batch * in_dim_);
    for (Layer& l : layers_) {
        if (batch_norm_) l.pre.resize(batch * l.out);
        l.act.resize(batch * l.out);
    }
    if (normalize_output_) {
        out_pre_.resize(batch * out_dim_);
        out_norm_.resize(batch);
    }
    grad_a_.resize(batch * max_width_);
    grad_b_.resize(batch * max_width_);
    train_capacity_ = batch;
}

void Mlp::ensure_eval_capacity(int64_t batch) {
    if (batch <= eval_capacity_) return;
    eval_a_.resize(batch * max_width_);
    eval_b_.resize(batch * max_width_);
    eval_capacity_ = batch;
}

void Mlp::forward(const idlab_exec_ctx_t& ctx, const DLTensor& x, DLTensor& features) {
    idlab::require_tensor(x, "x", IDLAB_DTYPE_F32, -1, in_dim_);
    const int64_t batch = x.shape[0];
    if (batch < 1) idlab::argument_error("x: the batch is empty");
    idlab::require_tensor(features, "features", IDLAB_DTYPE_F32, batch, out_dim_);
    const float* xp = idlab::data_of<float>(x);
    float* fp = idlab::data_of<float>(features);
    if (ctx.training) {
        if (batch_norm_ && !layers_.empty() && batch < 2)
            idlab::argument_error("batch norm in training mode needs at least 2 samples per batch");
        forward_train(xp, batch, fp);
    } else {
        forward_eval(xp, batch, fp);
    }
}

void Mlp::forward_train(const float* x, int64_t batch, float* features) {
    ensure_train_capacity(batch);
    // Keep our own copy of x (small): the caller's buffer need not outlive this call.
    std::memcpy(input_.data(), x, sizeof(float) * batch * in_dim_);
    const float* cur = input_.data();
    for (Layer& l : layers_) {
        if (batch_norm_) {
            // Backward recomputes the normalised activation from the GEMM output kept in pre.
            linear_forward(cur, l.weight.data(), batch, l.in, l.out, l.pre.data());
            BatchNormChannels bn{l.gamma.data(), l.beta.data(), l.running_mean.data(),
                                 l.running_var.data(), momentum_, eps_};
            BatchNormCache cache{l.batch_mean.data(), l.invstd.data(), l.scale.data(), l.shift.data()};
            bn_leaky_forward_train(l.pre.data(), l.bias.data(), bn, batch, l.out, slope_, scratch(),
                                   cache, l.act.data());
        } else {
            linear_forward(cur, l.weight.data(), batch, l.in, l.out, l.act.data());
            bias_leaky_forward(l.act.data(), l.bias.data(), batch, l.out, slope_, l.act.data());
        }
        cur = l.act.data();
    }
    linear_forward(cur, output_.weight.data(), batch, output_.in, output_.out, features);
    add_bias_rows(features, output_.bias.data(), batch, out_dim_);
    if (normalize_output_) std::memcpy(out_pre_.data(), features, sizeof(float) * batch * out_dim_);
    finish_output(features, batch, out_norm_.data());
    cached_batch_ = batch;
}

void Mlp::forward_eval(const float* x, int64_t batch, float* features) {
    ensure_eval_capacity(batch);
    const float* cur = x;
    for (size_t i = 0; i < layers_.size(); ++i) {
        const Layer& l = layers_[i];
        float* dst = (i % 2 == 0) ? eval_a_.data() : eval_b_.data();
        linear_forward(cur, l.weight.data(), batch, l.in, l.out, dst);
        if (batch_norm_) {
            bn_leaky_forward_eval(dst, l.bias.data(), l.gamma.data(), l.beta.data(),
                                  l.running_mean.data(), l.running_var.data(), eps_, batch, l.out,
                                  slope_, scratch(), dst);
        } else {
            bias_leaky_forward(dst, l.bias.data(), batch, l.out, slope_, dst);
        }
        cur = dst;
    }
    linear_forward(cur, output_.weight.data(), batch, output_.in, output_.out, features);
    add_bias_rows(features, output_.bias.data(), batch, out_dim_);
    finish_output(features, batch, nullptr);
}

// Divides each row by its L2 norm when normalize_output (norms kept for backward if asked).
void Mlp::finish_output(float* y, int64_t batch, float* norms) {
    if (!normalize_output_) return;
    for (int64_t r = 0; r < batch; ++r) {
        float* row = y + r * out_dim_;
        double sq = 0.0;
        for (int64_t c = 0; c < out_dim_; ++c) sq += static_cast<double>(row[c]) * row[c];
        // Guard like torch.nn.functional.normalize so a zero row cannot divide by zero.
        const float norm = static_cast<float>(std::max(std::sqrt(sq), 1e-12));
        for (int64_t c = 0; c < out_dim_; ++c) row[c] /= norm;
        if (norms) norms[r] = norm;
    }
}

void Mlp::backward(const idlab_exec_ctx_t& /*ctx*/, const DLTensor& dfeatures, DLTensor* dx) {
    if (cached_batch_ == 0) idlab::argument_error("backward() needs a training forward() first");
    const int64_t batch = cached_batch_;
    idlab::require_tensor(dfeatures, "dfeatures", IDLAB_DTYPE_F32, batch, out_dim_);
    if (dx) idlab::require_tensor(*dx, "dx", IDLAB_DTYPE_F32, batch, in_dim_);
    const float* df = idlab::data_of<float>(dfeatures);
    float* g = grad_a_.data();
    float* other = grad_b_.data();
    const ChannelScratch s = scratch();

    // Gradient w.r.t. the output layer before normalisation: (g - f (f.g)) / |u| with f = u/|u|.
    if (normalize_output_) {
        for (int64_t r = 0; r < batch; ++r) {
            const float* u = out_pre_.data() + r * out_dim_;
            const float* gr = df + r * out_dim_;
            float* dr = g + r * out_dim_;
            const float norm = out_norm_[r];
            double dot = 0.0;
            for (int64_t c = 0; c < out_dim_; ++c) dot += static_cast<double>(u[c] / norm) * gr[c];
            for (int64_t c = 0; c < out_dim_; ++c)
                dr[c] = (gr[c] - (u[c] / norm) * static_cast<float>(dot)) / norm;
        }
    } else {
        std::memcpy(g, df, sizeof(float) * batch * out_dim_);
    }

    const float* out_in = layers_.empty() ? input_.data() : layers_.back().act.data();
    column_sums(g, batch, out_dim_, acc0_.data(), output_.grad_bias.data());
    linear_grad_weight(g, out_in, batch, output_.in, output_.out, output_.grad_weight.data());
    if (layers_.empty()) {
        if (dx) linear_grad_input(g, output_.weight.data(), batch, output_.in, output_.out,
                                  idlab::data_of<float>(*dx));
        return;
    }
    linear_grad_input(g, output_.weight.data(), batch, output_.in, output_.out, other);
    std::swap(g, other);

    for (size_t k = layers_.size(); k-- > 0;) {
        Layer& l = layers_[k];
        if (batch_norm_) {
            const BatchNormCache cache{l.batch_mean.data(), l.invstd.data(), l.scale.data(),
                                       l.shift.data()};
            leaky_bn_backward(g, l.pre.data(), cache, l.gamma.data(), batch, l.out, slope_, s,
                              l.grad_gamma.data(), l.grad_beta.data(), l.grad_bias.data());
        } else {
            leaky_bias_backward(g, l.act.data(), batch, l.out, slope_, s, l.grad_bias.data());
        }
        const float* x_in = k > 0 ? layers_[k - 1].act.data() : input_.data();
        linear_grad_weight(g, x_in, batch, l.in, l.out, l.grad_weight.data());
        if (k > 0) {
            linear_grad_input(g, l.weight.data(), batch, l.in, l.out, other);
            std::swap(g, other);
        } else if (dx) {
            linear_grad_input(g, l.weight.data(), batch, l.in, l.out, idlab::data_of<float>(*dx));
        }
    }
}

}  // namespace idlab::core
