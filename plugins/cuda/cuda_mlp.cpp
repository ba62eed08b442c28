#include "cuda_mlp.hpp"

#include "kernels/mlp_kernels.cuh"
#include "runtime/exec.hpp"

#include "mlp.hpp"  // the CPU encoder: spec, validation and initial values

#include <algorithm>
#include <utility>

namespace idlab::cuda {

namespace {
uintptr_t key_of(const void* p) { return reinterpret_cast<uintptr_t>(p); }
}  // namespace

idlab::ComponentSpec CudaMlp::spec() {
    idlab::ComponentSpec s = core::Mlp::spec();
    s.devices = IDLAB_DEVICE_CUDA;
    s.doc += " On CUDA: cuBLAS GEMMs (float32, no TF32) and one fused kernel per block for bias, "
             "batch norm and LeakyReLU; a training step's forward and backward are each replayed "
             "from a CUDA graph (IDLAB_CUDA_GRAPHS=0 launches the kernels one by one).";
    return s;
}

CudaMlp::CudaMlp(const idlab::CreateContext& ctx, const idlab::Config& config) {
    require_cuda_device(ctx, "core.mlp");
    device_ = ctx.device();
    // The CPU twin checks the config exactly as a CPU run would and draws the initial values.
    const idlab_create_ctx_t cpu_ctx = cpu_twin(ctx);
    const core::Mlp twin(idlab::CreateContext(&cpu_ctx), config);

    in_dim_ = ctx.input_dim();
    out_dim_ = twin.output_dim();
    const std::vector<int64_t> hidden = config.get_int_list("hidden");
    batch_norm_ = config.get_bool("batch_norm");
    normalize_output_ = config.get_bool("normalize_output");
    slope_ = static_cast<float>(config.get_float("negative_slope"));
    momentum_ = static_cast<float>(config.get_float("bn_momentum"));
    eps_ = static_cast<float>(config.get_float("bn_eps"));

    layers_.resize(hidden.size());
    int64_t prev = in_dim_;
    max_width_ = std::max(in_dim_, out_dim_);
    for (size_t i = 0; i < hidden.size(); ++i) {
        allocate_layer(layers_[i], prev, hidden[i], batch_norm_);
        prev = hidden[i];
        max_width_ = std::max(max_width_, prev);
    }
    allocate_layer(output_, prev, out_dim_, false);
    for (size_t i = 0; i < layers_.size(); ++i)
        register_layer(layers_[i], "layer" + std::to_string(i), "bn" + std::to_string(i), i);
    register_layer(output_, "out", "", 0);

    // Same names, same order, same values as the twin's parameters.
    if (parameter_count() != twin.parameter_count())
        throw idlab::Error(IDLAB_STATUS_INTERNAL, "core.mlp on CUDA: the parameters differ from the CPU encoder's");
    for (uint32_t i = 0; i < parameter_count(); ++i) {
        const idlab_param_view_t& mine = parameter(i);
        const idlab_param_view_t& cpu = twin.parameter(i);
        size_t n = 1;
        for (int d = 0; d < cpu.value.ndim; ++d) n *= static_cast<size_t>(cpu.value.shape[d]);
        if (std::string(mine.name) != cpu.name)
            throw idlab::Error(IDLAB_STATUS_INTERNAL, std::string("core.mlp on CUDA: parameter '") +
                                                          mine.name + "' where the CPU has '" + cpu.name + "'");
        check(cudaMemcpy(mine.value.data, cpu.value.data, n * sizeof(float), cudaMemcpyHostToDevice),
              "uploading the initial value of " + std::string(mine.name));
        check(cudaMemset(mine.grad.data, 0, n * sizeof(float)), "clearing a gradient");
    }
    check(cudaDeviceSynchronize(), "cudaDeviceSynchronize after the initial values");
}

void CudaMlp::allocate_layer(Layer& l, int64_t in, int64_t out, bool with_bn) {
    l.in = in;
    l.out = out;
    l.weight.reset(static_cast<size_t>(out * in));
    l.bias.reset(static_cast<size_t>(out));
    l.grad_weight.reset(static_cast<size_t>(out * in));
    l.grad_bias.reset(static_cast<size_t>(out));
    if (!with_bn) return;
    for (DeviceBuffer<float>* b : {&l.gamma, &l.beta, &l.grad_gamma, &l.grad_beta, &l.running_mean,
                                   &l.running_var, &l.mean, &l.invstd, &l.scale, &l.shift})
        b->reset(static_cast<size_t>(out));
    // BatchNorm1d's initial state: gamma 1, beta 0 (set from the twin below), mean 0, var 1.
    l.running_mean.upload(std::vector<float>(static_cast<size_t>(out), 0.0f));
    l.running_var.upload(std::vector<float>(static_cast<size_t>(out), 1.0f));
    for (DeviceBuffer<float>* b : {&l.mean, &l.invstd, &l.scale, &l.shift}) b->fill_zero();
}

void CudaMlp::register_layer(Layer& l, const std::string& name, const std::string& bn_name, size_t) {
    add_parameter(name + ".weight", l.weight.data(), l.grad_weight.data(), {l.out, l.in}, device_);
    add_parameter(name + ".bias", l.bias.data(), l.grad_bias.data(), {l.out}, device_);
    if (l.gamma.empty()) return;
    add_parameter(bn_name + ".weight", l.gamma.data(), l.grad_gamma.data(), {l.out}, device_);
    add_parameter(bn_name + ".bias", l.beta.data(), l.grad_beta.data(), {l.out}, device_);
    add_state(bn_name + ".running_mean", l.running_mean.data(), {l.out}, device_);
    add_state(bn_name + ".running_var", l.running_var.data(), {l.out}, device_);
}

void CudaMlp::ensure_train_capacity(int64_t batch) {
    if (batch <= train_capacity_) return;
    const size_t b = static_cast<size_t>(batch);
    input_.reset(b * static_cast<size_t>(in_dim_));
    for (Layer& l : layers_) {
        if (batch_norm_) l.pre.reset(b * static_cast<size_t>(l.out));
        l.act.reset(b * static_cast<size_t>(l.out));
    }
    if (normalize_output_) {
        out_pre_.reset(b * static_cast<size_t>(out_dim_));
        out_norm_.reset(b);
    }
    grad_a_.reset(b * static_cast<size_t>(max_width_));
    grad_b_.reset(b * static_cast<size_t>(max_width_));
    train_capacity_ = batch;
}

void CudaMlp::ensure_eval_capacity(int64_t batch) {
    if (batch <= eval_capacity_) return;
    eval_a_.reset(static_cast<size_t>(batch * max_width_));
    eval_b_.reset(static_cast<size_t>(batch * max_width_));
    eval_capacity_ = batch;
}

void CudaMlp::forward(const idlab_exec_ctx_t& ctx, const DLTensor& x, DLTensor& features) {
    require_device_tensor(x, "x", IDLAB_DTYPE_F32, -1, in_dim_);
    const int64_t batch = x.shape[0];
    if (batch < 1) idlab::argument_error("x: the batch is empty");
    require_device_tensor(features, "features", IDLAB_DTYPE_F32, batch, out_dim_);
    const float* xp = idlab::data_of<float>(x);
    float* fp = idlab::data_of<float>(features);
    cudaStream_t stream = stream_of(ctx);
    blas_.bind(stream);
    if (!ctx.training) {
        ensure_eval_capacity(batch);
        enqueue_forward_eval(xp, batch, fp, stream);
        return;
    }
    if (batch_norm_ && !layers_.empty() && batch < 2)
        idlab::argument_error("batch norm in training mode needs at least 2 samples per batch");
    ensure_train_capacity(batch);  // allocates before any recording
    forward_graph_.run(stream, {key_of(xp), key_of(fp), static_cast<uintptr_t>(batch)},
                       [&] { enqueue_forward_train(xp, batch, fp, stream); });
    cached_batch_ = batch;
}

void CudaMlp::enqueue_forward_train(const float* x, int64_t batch, float* features, cudaStream_t stream) {
    // Our own copy of x: the caller's buffer need not outlive this call.
    check(cudaMemcpyAsync(input_.data(), x, sizeof(float) * static_cast<size_t>(batch * in_dim_),
                          cudaMemcpyDeviceToDevice, stream),
          "copying x");
    const float* cur = input_.data();
    for (Layer& l : layers_) {
        if (batch_norm_) {
            blas_.linear_forward(cur, l.weight.data(), batch, l.in, l.out, l.pre.data());
            const kernels::BatchNormView bn{l.gamma.data(), l.beta.data(), l.running_mean.data(),
                                            l.running_var.data(), l.mean.data(), l.invstd.data(),
                                            l.scale.data(), l.shift.data(), momentum_, eps_};
            kernels::bn_leaky_train(l.pre.data(), l.bias.data(), bn, batch, l.out, slope_, l.act.data(), stream);
        } else {
            blas_.linear_forward(cur, l.weight.data(), batch, l.in, l.out, l.act.data());
            kernels::bias_leaky(l.act.data(), l.bias.data(), batch, l.out, slope_, l.act.data(), stream);
        }
        cur = l.act.data();
    }
    blas_.linear_forward(cur, output_.weight.data(), batch, output_.in, output_.out, features);
    kernels::output_rows(features, output_.bias.data(), batch, out_dim_, normalize_output_,
                         out_pre_.data(), out_norm_.data(), stream);
}

void CudaMlp::enqueue_forward_eval(const float* x, int64_t batch, float* features, cudaStream_t stream) {
    const float* cur = x;
    for (size_t i = 0; i < layers_.size(); ++i) {
        const Layer& l = layers_[i];
        float* dst = (i % 2 == 0) ? eval_a_.data() : eval_b_.data();
        blas_.linear_forward(cur, l.weight.data(), batch, l.in, l.out, dst);
        if (batch_norm_)
            kernels::bn_leaky_eval(dst, l.bias.data(), l.gamma.data(), l.beta.data(), l.running_mean.data(),
                                   l.running_var.data(), eps_, batch, l.out, slope_, dst, stream);
        else
            kernels::bias_leaky(dst, l.bias.data(), batch, l.out, slope_, dst, stream);
        cur = dst;
    }
    blas_.linear_forward(cur, output_.weight.data(), batch, output_.in, output_.out, features);
    kernels::output_rows(features, output_.bias.data(), batch, out_dim_, normalize_output_, nullptr,
                         nullptr, stream);
}

void CudaMlp::backward(const idlab_exec_ctx_t& ctx, const DLTensor& dfeatures, DLTensor* dx) {
    if (cached_batch_ == 0) idlab::argument_error("backward() needs a training forward() first");
    const int64_t batch = cached_batch_;
    require_device_tensor(dfeatures, "dfeatures", IDLAB_DTYPE_F32, batch, out_dim_);
    if (dx) require_device_tensor(*dx, "dx", IDLAB_DTYPE_F32, batch, in_dim_);
    const float* df = idlab::data_of<float>(dfeatures);
    float* dxp = dx ? idlab::data_of<float>(*dx) : nullptr;
    cudaStream_t stream = stream_of(ctx);
    blas_.bind(stream);
    backward_graph_.run(stream, {key_of(df), key_of(dxp), static_cast<uintptr_t>(batch)},
                        [&] { enqueue_backward(df, batch, dxp, stream); });
}

void CudaMlp::enqueue_backward(const float* df, int64_t batch, float* dx, cudaStream_t stream) {
    float* g = grad_a_.data();
    float* other = grad_b_.data();
    // The output layer's gradient: df itself, or back through the row normalisation.
    const float* g_out = df;
    if (normalize_output_) {
        kernels::normalize_rows_backward(out_pre_.data(), out_norm_.data(), df, batch, out_dim_, g, stream);
        g_out = g;
    }
    const float* out_in = layers_.empty() ? input_.data() : layers_.back().act.data();
    kernels::column_sums(g_out, batch, out_dim_, output_.grad_bias.data(), stream);
    blas_.linear_grad_weight(g_out, out_in, batch, output_.in, output_.out, output_.grad_weight.data());
    if (layers_.empty()) {
        if (dx) blas_.linear_grad_input(g_out, output_.weight.data(), batch, output_.in, output_.out, dx);
        return;
    }
    blas_.linear_grad_input(g_out, output_.weight.data(), batch, output_.in, output_.out, other);
    std::swap(g, other);

    for (size_t k = layers_.size(); k-- > 0;) {
        Layer& l = layers_[k];
        if (batch_norm_) {
            const kernels::BatchNormView bn{l.gamma.data(), l.beta.data(), l.running_mean.data(),
                                            l.running_var.data(), l.mean.data(), l.invstd.data(),
                                            l.scale.data(), l.shift.data(), momentum_, eps_};
            kernels::leaky_bn_backward(g, l.pre.data(), bn, batch, l.out, slope_, l.grad_gamma.data(),
                                       l.grad_beta.data(), l.grad_bias.data(), stream);
        } else {
            kernels::leaky_bias_backward(g, l.act.data(), batch, l.out, slope_, l.grad_bias.data(), stream);
        }
        const float* x_in = k > 0 ? layers_[k - 1].act.data() : input_.data();
        blas_.linear_grad_weight(g, x_in, batch, l.in, l.out, l.grad_weight.data());
        if (k > 0) {
            blas_.linear_grad_input(g, l.weight.data(), batch, l.in, l.out, other);
            std::swap(g, other);
        } else if (dx) {
            blas_.linear_grad_input(g, l.weight.data(), batch, l.in, l.out, dx);
        }
    }
}

}  // namespace idlab::cuda
