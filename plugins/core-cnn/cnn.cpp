#include "cnn.hpp"

#include "pooling.hpp"
#include "relu.hpp"

#include <algorithm>
#include <cstring>
#include <string>
#include <utility>

namespace idlab::cnn {

idlab::ComponentSpec Cnn::spec() {
    using idlab::Param;
    idlab::ComponentSpec s;
    s.id = "core.cnn";
    s.version = "1.0.0";
    s.summary = "ResNet-18-style CNN encoder on images: conv stem, residual stages, global pooling";
    s.doc =
        "Input x = images [batch, channels*height*width], channel-major (x[c*H*W + row*W + col]). "
        "Stem: stem_kernel = 3 is a 3x3 stride-1 convolution (suits 64x64 inputs), 7 a 7x7 "
        "stride-2 one (torchvision's ResNet), each followed by BatchNorm2d and ReLU, then a 3x3 "
        "stride-2 max pool if max_pool. Then one stage per entry of widths, with blocks[i] "
        "basic residual blocks (conv3x3-BN-ReLU-conv3x3-BN plus a shortcut that is a 1x1 "
        "convolution with BN when the shape changes, then ReLU); every stage after the first "
        "halves the resolution with stride-2 convolutions. Global average pooling gives "
        "widths[-1] features; a Linear layer maps them to out_dim, or none is used when out_dim "
        "equals widths[-1] (the paper's resnet18 with fc = Identity: stem_kernel = 7, "
        "max_pool = true, defaults otherwise). Batch norm uses batch statistics in training and "
        "the running statistics in evaluation; without batch norm the convolutions get a bias. "
        "Initialisation as torchvision's resnet: Kaiming normal (fan_out, ReLU gain) "
        "convolutions, batch norm weight 1 and bias 0, PyTorch's default U(+-1/sqrt(fan_in)) for "
        "the Linear layer and convolution biases.";
    s.devices = IDLAB_DEVICE_CPU;
    s.params = {
        Param::integer("channels", "3", "image channels C (1 for dSprites and smallNORB)").at_least(1),
        Param::integer("height", "64", "image height H in pixels").at_least(1),
        Param::integer("width", "64", "image width W in pixels").at_least(1),
        Param::int_list("widths", "[64, 128, 256, 512]", "channels of each residual stage").at_least(1),
        Param::int_list("blocks", "[2, 2, 2, 2]", "basic blocks in each stage (as many as widths)")
            .at_least(1),
        Param::integer("stem_kernel", "3", "3: 3x3 stride-1 stem convolution; 7: 7x7 stride 2")
            .at_least(3)
            .at_most(7),
        Param::boolean("max_pool", "false", "3x3 stride-2 max pool after the stem (torchvision: true)"),
        Param::integer("out_dim", "512", "output width; equal to widths[-1]: no final Linear layer")
            .at_least(1),
        Param::boolean("batch_norm", "true", "BatchNorm2d after every convolution"),
        Param::floating("bn_momentum", "0.1", "running-statistics momentum (PyTorch convention)")
            .above(0)
            .at_most(1),
        Param::floating("bn_eps", "1e-5", "added to the variance before the square root").above(0),
    };
    return s;
}

Cnn::Cnn(const idlab::CreateContext& ctx, const idlab::Config& config) {
    if (ctx.device().device_type != kDLCPU)
        throw idlab::Error(IDLAB_STATUS_UNSUPPORTED, "core.cnn runs on the CPU only");

    input_.channels = config.get_int("channels");
    input_.height = config.get_int("height");
    input_.width = config.get_int("width");
    if (input_.channels < 1) idlab::config_error("channels", "channels must be at least 1");
    if (input_.height < 1) idlab::config_error("height", "height must be at least 1");
    if (input_.width < 1) idlab::config_error("width", "width must be at least 1");
    const int64_t input_dim = ctx.input_dim();
    if (input_dim < 1) idlab::argument_error("core.cnn: the data gives no input x to encode");
    if (input_dim != input_.size()) {
        const std::string got = "the data's x has " + std::to_string(input_dim) + " values per sample, ";
        const std::string want = "but channels * height * width = " + std::to_string(input_.channels) +
                                 " * " + std::to_string(input_.height) + " * " +
                                 std::to_string(input_.width) + " = " + std::to_string(input_.size());
        if (input_dim % input_.plane() == 0)
            idlab::config_error("channels", got + want + "; set channels = " +
                                                std::to_string(input_dim / input_.plane()));
        idlab::config_error("height", got + want + "; " + std::to_string(input_dim) +
                                          " is not divisible by height * width = " +
                                          std::to_string(input_.plane()));
    }

    const std::vector<int64_t> widths = config.get_int_list("widths");
    const std::vector<int64_t> blocks = config.get_int_list("blocks");
    if (widths.empty()) idlab::config_error("widths", "widths needs at least one stage");
    for (int64_t w : widths)
        if (w < 1) idlab::config_error("widths", "every stage width must be at least 1, got " + std::to_string(w));
    if (blocks.size() != widths.size())
        idlab::config_error("blocks", "blocks has " + std::to_string(blocks.size()) +
                                          " entries but widths has " + std::to_string(widths.size()) +
                                          ": give one block count per stage");
    for (int64_t b : blocks)
        if (b < 1) idlab::config_error("blocks", "every stage needs at least 1 block, got " + std::to_string(b));

    const int64_t stem_kernel = config.get_int("stem_kernel");
    if (stem_kernel != 3 && stem_kernel != 7)
        idlab::config_error("stem_kernel", "stem_kernel must be 3 (3x3, stride 1) or 7 (7x7, stride 2), got " +
                                               std::to_string(stem_kernel));

    out_dim_ = config.get_int("out_dim");
    if (out_dim_ < 1) idlab::config_error("out_dim", "out_dim must be at least 1");

    NormSettings norm;
    norm.batch_norm = config.get_bool("batch_norm");
    const double momentum = config.get_float("bn_momentum");
    if (!(momentum > 0.0 && momentum <= 1.0))
        idlab::config_error("bn_momentum", "bn_momentum must lie in (0, 1]");
    const double eps = config.get_float("bn_eps");
    if (!(eps > 0.0)) idlab::config_error("bn_eps", "bn_eps must be > 0");
    norm.momentum = static_cast<float>(momentum);
    norm.eps = static_cast<float>(eps);

    // The network, layer by layer.
    const int64_t stem_stride = stem_kernel == 7 ? 2 : 1;
    stem_.emplace(Window::make(input_, widths[0], stem_kernel, stem_stride, stem_kernel / 2), norm,
                  "conv1", "bn1");
    FeatureShape shape = stem_->out_shape();
    largest_map_ = shape.size();
    if (config.get_bool("max_pool")) {
        max_pool_ = Window::make(shape, shape.channels, 3, 2, 1);
        shape = max_pool_->out;
    }
    size_t total_blocks = 0;
    for (int64_t b : blocks) total_blocks += static_cast<size_t>(b);
    blocks_.reserve(total_blocks);
    for (size_t stage = 0; stage < widths.size(); ++stage) {
        for (int64_t b = 0; b < blocks[stage]; ++b) {
            const int64_t stride = (stage > 0 && b == 0) ? 2 : 1;
            const std::string name = "layer" + std::to_string(stage + 1) + "." + std::to_string(b);
            blocks_.emplace_back(shape, widths[stage], stride, norm, name);
            shape = blocks_.back().out_shape();
            largest_map_ = std::max(largest_map_, shape.size());
        }
    }
    min_bn_plane_ = shape.plane();
    if (out_dim_ != shape.channels) fc_.emplace(shape.channels, out_dim_);

    const InitKey key{ctx.seed(), ctx.stage()};
    stem_->initialize(key);
    for (BasicBlock& block : blocks_) block.initialize(key);
    if (fc_) fc_->initialize(key, "fc");
    // After every layer has its final buffers: the views keep raw pointers.
    register_views();
}

void Cnn::register_conv_bn(ConvBn& unit) {
    Conv2d& conv = unit.conv;
    const Window& w = conv.window();
    add_parameter(unit.conv_name + ".weight", conv.weight.data(), conv.grad_weight.data(),
                  {w.out.channels, w.in.channels, w.kernel, w.kernel});
    if (conv.has_bias())
        add_parameter(unit.conv_name + ".bias", conv.bias.data(), conv.grad_bias.data(), {w.out.channels});
    if (unit.bn) {
        add_parameter(unit.bn_name + ".weight", unit.bn->gamma.data(), unit.bn->grad_gamma.data(),
                      {w.out.channels});
        add_parameter(unit.bn_name + ".bias", unit.bn->beta.data(), unit.bn->grad_beta.data(),
                      {w.out.channels});
        // What evaluation normalises with: checkpoints save it through idlab.state/1.
        add_state(unit.bn_name + ".running_mean", unit.bn->running_mean.data(), {w.out.channels});
        add_state(unit.bn_name + ".running_var", unit.bn->running_var.data(), {w.out.channels});
    }
}

void Cnn::register_views() {
    register_conv_bn(*stem_);
    for (BasicBlock& block : blocks_) {
        register_conv_bn(block.conv1);
        register_conv_bn(block.conv2);
        if (block.downsample) register_conv_bn(*block.downsample);
    }
    if (fc_) {
        add_parameter("fc.weight", fc_->weight.data(), fc_->grad_weight.data(), {fc_->out(), fc_->in()});
        add_parameter("fc.bias", fc_->bias.data(), fc_->grad_bias.data(), {fc_->out()});
    }
}

void Cnn::ensure_workspace(int64_t batch) {
    if (batch <= workspace_batch_) return;
    int64_t floats = stem_->conv.workspace_floats(batch);
    for (const BasicBlock& block : blocks_) floats = std::max(floats, block.workspace_floats(batch));
    workspace_.resize(static_cast<size_t>(floats));
    workspace_batch_ = batch;
}

void Cnn::ensure_train_capacity(int64_t batch) {
    ensure_workspace(batch);
    if (batch <= train_capacity_) return;
    const size_t n = static_cast<size_t>(batch);
    input_copy_.resize(n * input_.size());
    const size_t stem_size = n * static_cast<size_t>(stem_->out_shape().size());
    if (stem_->has_batch_norm()) stem_h_.resize(stem_size);
    stem_a_.resize(stem_size);
    if (max_pool_) {
        stem_pooled_.resize(n * max_pool_->out.size());
        pool_argmax_.resize(n * max_pool_->out.size());
    }
    for (BasicBlock& block : blocks_) block.reserve_training(batch);
    const int64_t features = blocks_.back().out_shape().channels;
    pooled_.resize(n * features);
    grad_pooled_.resize(n * features);
    for (std::vector<float>* v : {&grad_a_, &grad_b_, &scratch_}) v->resize(n * largest_map_);
    train_capacity_ = batch;
}

void Cnn::ensure_eval_capacity(int64_t batch) {
    ensure_workspace(batch);
    if (batch <= eval_capacity_) return;
    const size_t n = static_cast<size_t>(batch);
    for (std::vector<float>* v : {&eval_a_, &eval_b_, &eval_t1_, &eval_t2_}) v->resize(n * largest_map_);
    eval_pooled_.resize(n * blocks_.back().out_shape().channels);
    eval_capacity_ = batch;
}

void Cnn::forward(const idlab_exec_ctx_t& ctx, const DLTensor& x, DLTensor& features) {
    idlab::require_tensor(x, "x", IDLAB_DTYPE_F32, -1, input_.size());
    const int64_t batch = x.shape[0];
    if (batch < 1) idlab::argument_error("x: the batch is empty");
    idlab::require_tensor(features, "features", IDLAB_DTYPE_F32, batch, out_dim_);
    const float* xp = idlab::data_of<float>(x);
    float* fp = idlab::data_of<float>(features);
    if (ctx.training) {
        if (stem_->has_batch_norm() && batch * min_bn_plane_ < 2)
            idlab::argument_error("batch norm in training mode needs more than one value per channel: the last "
                                  "stage's feature maps are " + std::to_string(min_bn_plane_) +
                                  " pixel(s), so use at least 2 samples per batch");
        forward_train(xp, batch, fp);
    } else {
        forward_eval(xp, batch, fp);
    }
}

const float* Cnn::stem_output() const { return max_pool_ ? stem_pooled_.data() : stem_a_.data(); }

void Cnn::head_forward(const float* pooled, int64_t batch, float* features) const {
    if (fc_) fc_->forward(pooled, batch, features);
    else std::memcpy(features, pooled, sizeof(float) * batch * out_dim_);
}

void Cnn::forward_train(const float* x, int64_t batch, float* features) {
    ensure_train_capacity(batch);
    float* ws = workspace_.data();
    // Our own copy of x: the stem's weight gradient needs it, the caller's buffer may not live on.
    std::memcpy(input_copy_.data(), x, sizeof(float) * batch * input_.size());
    stem_->forward_train(input_copy_.data(), batch, stem_h_.data(), stem_a_.data(), ws);
    relu_in_place(stem_a_.data(), batch * stem_->out_shape().size());
    if (max_pool_)
        max_pool_forward(*max_pool_, stem_a_.data(), batch, stem_pooled_.data(), pool_argmax_.data());
    const float* cur = stem_output();
    for (BasicBlock& block : blocks_) {
        block.forward_train(cur, batch, scratch_.data(), ws);
        cur = block.output();
    }
    global_average_pool(blocks_.back().out_shape(), cur, batch, pooled_.data());
    head_forward(pooled_.data(), batch, features);
    cached_batch_ = batch;
}

void Cnn::forward_eval(const float* x, int64_t batch, float* features) {
    ensure_eval_capacity(batch);
    float* ws = workspace_.data();
    float* cur = eval_a_.data();
    stem_->forward_eval(x, batch, cur, ws);
    relu_in_place(cur, batch * stem_->out_shape().size());
    if (max_pool_) {
        max_pool_forward(*max_pool_, cur, batch, eval_b_.data(), nullptr);
        cur = eval_b_.data();
    }
    for (const BasicBlock& block : blocks_) {
        float* out = cur == eval_a_.data() ? eval_b_.data() : eval_a_.data();
        block.forward_eval(cur, batch, out, eval_t1_.data(), eval_t2_.data(), ws);
        cur = out;
    }
    global_average_pool(blocks_.back().out_shape(), cur, batch, eval_pooled_.data());
    head_forward(eval_pooled_.data(), batch, features);
}

void Cnn::backward(const idlab_exec_ctx_t& /*ctx*/, const DLTensor& dfeatures, DLTensor* dx) {
    if (cached_batch_ == 0) idlab::argument_error("backward() needs a training forward() first");
    const int64_t batch = cached_batch_;
    idlab::require_tensor(dfeatures, "dfeatures", IDLAB_DTYPE_F32, batch, out_dim_);
    if (dx) idlab::require_tensor(*dx, "dx", IDLAB_DTYPE_F32, batch, input_.size());
    float* ws = workspace_.data();

    const float* grad_pooled = idlab::data_of<float>(dfeatures);
    if (fc_) {
        fc_->backward(pooled_.data(), grad_pooled, batch, grad_pooled_.data());
        grad_pooled = grad_pooled_.data();
    }
    float* g = grad_a_.data();
    float* other = grad_b_.data();
    global_average_pool_backward(blocks_.back().out_shape(), grad_pooled, batch, g);
    for (size_t k = blocks_.size(); k-- > 0;) {
        const float* block_input = k > 0 ? blocks_[k - 1].output() : stem_output();
        blocks_[k].backward(block_input, g, batch, other, scratch_.data(), ws);
        std::swap(g, other);
    }
    if (max_pool_) {
        max_pool_backward(*max_pool_, g, pool_argmax_.data(), batch, other);
        std::swap(g, other);
    }
    relu_backward(g, stem_a_.data(), batch * stem_->out_shape().size());
    stem_->backward(input_copy_.data(), stem_h_.data(), g, batch,
                    dx ? idlab::data_of<float>(*dx) : nullptr, false, ws);
}

std::vector<int32_t> Cnn::activation_pattern() const {
    std::vector<int32_t> pattern;
    const int64_t batch = cached_batch_;
    const int64_t stem_size = batch * stem_->out_shape().size();
    for (int64_t i = 0; i < stem_size; ++i) pattern.push_back(stem_a_[i] > 0.0f ? 1 : 0);
    if (max_pool_) pattern.insert(pattern.end(), pool_argmax_.begin(), pool_argmax_.begin() + batch * max_pool_->out.size());
    for (const BasicBlock& block : blocks_) block.append_relu_pattern(batch, pattern);
    return pattern;
}

}  // namespace idlab::cnn
