#include "mlp.hpp"

#include "dense.hpp"
#include "hidden_block.hpp"
#include <idlab/openblas_threads.hpp>
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

Mlp::Mlp(const idlab::CreateContext& ctx, const idlab::Config& config) : team_(ctx.threads()) {
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

    // A job's phases: one per layer and one to sum the gradients (see forward_train, backward).
    team_.reserve_phases(layers_.size() + 2);
    if (team_.size() > 1) {
        for (Layer& l : layers_) l.weight_parts.assign(team_.size() * l.out * l.in, 0.0f);
        output_.weight_parts.assign(team_.size() * output_.out * output_.in, 0.0f);
    }
    const size_t members = team_.size();
    acc0_.assign(idlab::padded_stride<double>(max_width_) * members, 0.0);
    acc1_.assign(idlab::padded_stride<double>(max_width_) * members, 0.0);
    for (std::vector<float>* f : {&f0_, &f1_, &f2_, &f3_})
        f->assign(idlab::padded_stride<float>(max_width_) * members, 0.0f);
}

Span Mlp::part_blocks(int64_t batch, int64_t part) const {
    return split_evenly(block_count(batch), team_.size(), part);
}

Span Mlp::part_rows(int64_t batch, int64_t part) const {
    const Span blocks = part_blocks(batch, part);
    return Span{block_first_row(blocks.begin), std::min(block_first_row(blocks.end), batch)};
}

BatchNormCache Mlp::cache_of(Layer& l) {
    return BatchNormCache{l.batch_mean.data(), l.invstd.data(), l.scale.data(), l.shift.data()};
}

ChannelScratch Mlp::scratch(unsigned member) {
    const size_t d = idlab::padded_stride<double>(max_width_) * member;
    const size_t f = idlab::padded_stride<float>(max_width_) * member;
    return ChannelScratch{acc0_.data() + d, acc1_.data() + d, f0_.data() + f,
                          f1_.data() + f,  f2_.data() + f,  f3_.data() + f};
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
    const int64_t blocks = block_count(batch);
    for (int i = 0; i < 2; ++i) {
        moments_[i].resize(blocks * moments_size(max_width_));
        grad_sums_[i].resize(blocks * grad_sums_size(max_width_));
    }
    for (Layer& l : layers_) l.bias_sums.resize(blocks * l.out);
    output_.bias_sums.resize(blocks * out_dim_);
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
    const idlab::SingleThreadedOpenBlas blas(team_.size());
    if (ctx.training) {
        if (batch_norm_ && !layers_.empty() && batch < 2)
            idlab::argument_error("batch norm in training mode needs at least 2 samples per batch");
        ensure_train_capacity(batch);
        team_.run([&](idlab::TeamMember& me) { forward_train(me, xp, batch, fp); });
        cached_batch_ = batch;
    } else {
        ensure_eval_capacity(batch);
        team_.run([&](idlab::TeamMember& me) { forward_eval(me, xp, batch, fp); });
    }
}

void Mlp::forward_train(idlab::TeamMember& me, const float* x, int64_t batch, float* features) {
    const int64_t parts = team_.size();
    const ChannelScratch s = scratch(me.index());
    // Phase l finishes hidden layer l - 1 on this part's rows (batch norm from the moments of
    // every block, then LeakyReLU) and starts layer l (its product, and with batch norm the
    // moments of this part's blocks); the last phase runs the output layer.
    for (size_t l = 0; l <= layers_.size(); ++l) {
        me.share(parts, [&](int64_t part) {
            const Span rows = part_rows(batch, part);
            if (rows.empty()) return;
            const float* in = x;
            if (l == 0) {
                // Our own copy of x (small) for backward: the caller's need not outlive the call.
                std::memcpy(input_.data() + rows.begin * in_dim_, x + rows.begin * in_dim_,
                            sizeof(float) * rows.size() * in_dim_);
            } else {
                Layer& prev = layers_[l - 1];
                if (batch_norm_) {
                    // Every member works out the statistics; the one with part 0 keeps them for
                    // backward and updates the running estimates.
                    const BatchNormChannels bn{prev.gamma.data(), prev.beta.data(),
                                               prev.running_mean.data(), prev.running_var.data(),
                                               momentum_, eps_};
                    const BatchNormCache cache = cache_of(prev);
                    bn_batch_statistics(moments_[(l - 1) % 2].data(), batch, prev.out,
                                        prev.bias.data(), bn, s, part == 0 ? &cache : nullptr);
                    scale_shift_leaky(prev.pre.data() + rows.begin * prev.out, s.f0, s.f1,
                                      rows.size(), prev.out, slope_,
                                      prev.act.data() + rows.begin * prev.out);
                }
                in = prev.act.data();
            }
            if (l < layers_.size()) {
                Layer& cur = layers_[l];
                float* h = batch_norm_ ? cur.pre.data() : cur.act.data();
                linear_forward(in, cur.weight.data(), cur.in, cur.out, rows, h);
                if (batch_norm_) {
                    const Span blocks = part_blocks(batch, part);
                    for (int64_t b = blocks.begin; b < blocks.end; ++b)
                        bn_block_moments(h + block_first_row(b) * cur.out, block_size(b, batch),
                                         cur.out, moments_[l % 2].data() + b * moments_size(cur.out));
                } else {
                    float* hr = h + rows.begin * cur.out;
                    bias_leaky_forward(hr, cur.bias.data(), rows.size(), cur.out, slope_, hr);
                }
            } else {
                linear_forward(in, output_.weight.data(), output_.in, out_dim_, rows, features);
                add_bias_rows(features, output_.bias.data(), out_dim_, rows);
                if (normalize_output_) {
                    std::memcpy(out_pre_.data() + rows.begin * out_dim_,
                                features + rows.begin * out_dim_,
                                sizeof(float) * rows.size() * out_dim_);
                    finish_output(features, rows, out_norm_.data());
                }
            }
        });
    }
}

void Mlp::forward_eval(idlab::TeamMember& me, const float* x, int64_t batch, float* features) {
    const int64_t parts = team_.size();
    const ChannelScratch s = scratch(me.index());
    // With the running statistics every layer works row by row, in two buffers that take turns.
    // A layer's rows lie elsewhere in a buffer than the rows of the layer before (the widths
    // differ), so each layer is a phase of its own: the next one starts once every part is done
    // reading the buffer it overwrites.
    const float* cur = x;
    for (size_t i = 0; i < layers_.size(); ++i) {
        const Layer& l = layers_[i];
        float* dst = (i % 2 == 0) ? eval_a_.data() : eval_b_.data();
        me.share(parts, [&](int64_t part) {
            const Span rows = part_rows(batch, part);
            linear_forward(cur, l.weight.data(), l.in, l.out, rows, dst);
            float* h = dst + rows.begin * l.out;
            if (batch_norm_)
                bn_leaky_forward_eval(h, l.bias.data(), l.gamma.data(), l.beta.data(),
                                      l.running_mean.data(), l.running_var.data(), eps_,
                                      rows.size(), l.out, slope_, s, h);
            else
                bias_leaky_forward(h, l.bias.data(), rows.size(), l.out, slope_, h);
        });
        cur = dst;
    }
    me.share(parts, [&](int64_t part) {
        const Span rows = part_rows(batch, part);
        linear_forward(cur, output_.weight.data(), output_.in, out_dim_, rows, features);
        add_bias_rows(features, output_.bias.data(), out_dim_, rows);
        finish_output(features, rows, nullptr);
    });
}

// Divides rows `rows` of y by their L2 norms when normalize_output (norms kept for backward if
// asked).
void Mlp::finish_output(float* y, Span rows, float* norms) {
    if (!normalize_output_) return;
    for (int64_t r = rows.begin; r < rows.end; ++r) {
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
    float* dxp = dx ? idlab::data_of<float>(*dx) : nullptr;
    const idlab::SingleThreadedOpenBlas blas(team_.size());
    team_.run([&](idlab::TeamMember& me) { backward(me, df, batch, dxp); });
}

void Mlp::start_backward(size_t k, float* g, Span blocks, int64_t batch) {
    Layer& l = layers_[k];
    for (int64_t b = blocks.begin; b < blocks.end; ++b) {
        const int64_t at = block_first_row(b) * l.out;
        if (batch_norm_)
            bn_block_grad_sums(g + at, l.pre.data() + at, cache_of(l), block_size(b, batch), l.out,
                               slope_, grad_sums_[k % 2].data() + b * grad_sums_size(l.out));
        else
            leaky_block_backward(g + at, l.act.data() + at, block_size(b, batch), l.out, slope_,
                                 l.bias_sums.data() + b * l.out);
    }
}

void Mlp::backward(idlab::TeamMember& me, const float* df, int64_t batch, float* dx) {
    const int64_t parts = team_.size();
    const ChannelScratch s = scratch(me.index());
    const int64_t blocks_total = block_count(batch);
    // With one part the weight gradient goes straight to its place; with more, each part's
    // goes to weight_parts and the last phase adds them up.
    auto weight_grad = [&](Layer& l, const float* dy, const float* x, Span rows, int64_t part) {
        float* target = parts > 1 ? l.weight_parts.data() + part * l.out * l.in : l.grad_weight.data();
        linear_grad_weight(dy, x, l.in, l.out, rows, target);
    };
    // The gradient buffers take turns: `grad` holds dL/da of the hidden layer at hand, `spare`
    // is written next. Every part reads and writes its own rows only.
    float* grad = grad_a_.data();
    float* spare = grad_b_.data();

    // The output layer, by rows: back through the output normalisation,
    // (g - f (f.g)) / |u| with f = u/|u|, then its gradients and the input gradient.
    const float* g_out = normalize_output_ ? spare : df;  // dL/d(output layer's product)
    const float* out_in = layers_.empty() ? input_.data() : layers_.back().act.data();
    me.share(parts, [&](int64_t part) {
        const Span rows = part_rows(batch, part);
        if (rows.empty()) return;
        if (normalize_output_) {
            for (int64_t r = rows.begin; r < rows.end; ++r) {
                const float* u = out_pre_.data() + r * out_dim_;
                const float* gr = df + r * out_dim_;
                float* dr = spare + r * out_dim_;
                const float norm = out_norm_[r];
                double dot = 0.0;
                for (int64_t c = 0; c < out_dim_; ++c) dot += static_cast<double>(u[c] / norm) * gr[c];
                for (int64_t c = 0; c < out_dim_; ++c)
                    dr[c] = (gr[c] - (u[c] / norm) * static_cast<float>(dot)) / norm;
            }
        }
        const Span blocks = part_blocks(batch, part);
        for (int64_t b = blocks.begin; b < blocks.end; ++b)
            block_column_sums(g_out + block_first_row(b) * out_dim_, block_size(b, batch), out_dim_,
                              output_.bias_sums.data() + b * out_dim_);
        weight_grad(output_, g_out, out_in, rows, part);
        float* da = layers_.empty() ? dx : grad;
        if (!da) return;
        linear_grad_input(g_out, output_.weight.data(), output_.in, out_dim_, rows, da);
        if (!layers_.empty()) start_backward(layers_.size() - 1, grad, blocks, batch);
    });

    // Hidden layer k, by rows: dL/dh (with batch norm from the gradient sums of every block;
    // the member with part 0 writes the batch-norm gradients), the weight gradient, the input
    // gradient, and the start of layer k - 1.
    for (size_t k = layers_.size(); k-- > 0;) {
        Layer& l = layers_[k];
        float* target = k > 0 ? spare : dx;
        const float* x_in = k > 0 ? layers_[k - 1].act.data() : input_.data();
        me.share(parts, [&](int64_t part) {
            const Span rows = part_rows(batch, part);
            if (rows.empty()) return;
            const Span blocks = part_blocks(batch, part);
            if (batch_norm_) {
                const BatchNormCache cache = cache_of(l);
                const bool first = part == 0;
                bn_grad_coefficients(grad_sums_[k % 2].data(), batch, l.out, cache, l.gamma.data(), s,
                                     first ? l.grad_gamma.data() : nullptr,
                                     first ? l.grad_beta.data() : nullptr);
                for (int64_t b = blocks.begin; b < blocks.end; ++b) {
                    const int64_t at = block_first_row(b) * l.out;
                    bn_block_input_grad(grad + at, l.pre.data() + at, cache, s, block_size(b, batch),
                                        l.out, slope_, l.bias_sums.data() + b * l.out);
                }
            }
            weight_grad(l, grad, x_in, rows, part);
            if (!target) return;
            linear_grad_input(grad, l.weight.data(), l.in, l.out, rows, target);
            if (k > 0) start_backward(k - 1, target, blocks, batch);
        });
        spare = grad;
        grad = target;
    }

    // By channels: the bias gradients from the block sums (in block order) and, with a team,
    // the weight gradients from the parts' (in part order; parts without rows, the last ones
    // when the batch has fewer blocks than the team has members, wrote nothing).
    me.share(parts, [&](int64_t part) {
        auto finish = [&](Layer& l) {
            const Span chans = split_evenly(l.out, parts, part);
            combine_block_sums(l.bias_sums.data(), blocks_total, l.out, chans.begin, chans.end,
                               l.grad_bias.data());
            if (parts == 1 || chans.empty()) return;
            const int64_t size = l.out * l.in, first = chans.begin * l.in, count = chans.size() * l.in;
            float* dw = l.grad_weight.data() + first;
            std::memcpy(dw, l.weight_parts.data() + first, sizeof(float) * count);
            for (int64_t q = 1; q < parts && !part_rows(batch, q).empty(); ++q) {
                const float* w = l.weight_parts.data() + q * size + first;
                for (int64_t i = 0; i < count; ++i) dw[i] += w[i];
            }
        };
        for (Layer& l : layers_) finish(l);
        finish(output_);
    });
}

}  // namespace idlab::core
