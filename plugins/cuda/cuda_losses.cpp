#include "cuda_losses.hpp"

#include "kernels/cross_entropy_kernels.cuh"
#include "kernels/infonce_kernels.cuh"
#include "kernels/mlp_kernels.cuh"
#include "kernels/reductions.cuh"
#include "runtime/exec.hpp"

#include "cross_entropy.hpp"
#include "infonce.hpp"

#include <limits>

namespace idlab::cuda {

namespace {

void require_narrow(int64_t dim, const char* id) {
    if (dim > kMaxFeatureWidth)
        throw idlab::Error(IDLAB_STATUS_UNSUPPORTED,
                           std::string(id) + " on CUDA takes features up to " +
                               std::to_string(kMaxFeatureWidth) + " wide; the encoder gives " +
                               std::to_string(dim) + " (set the encoder's out_dim, or run.device = \"cpu\")");
}

}  // namespace

// ------------------------------------------------------------------ LossValue

LossValue::LossValue() : own_(1) {
    void* p = nullptr;
    check(cudaMallocHost(&p, sizeof(double)), "cudaMallocHost");
    pinned_ = static_cast<double*>(p);
}

LossValue::~LossValue() {
    if (pinned_) cudaFreeHost(pinned_);
}

double* LossValue::target(const idlab_exec_ctx_t& ctx) {
    double* slot = idlab::loss_out(ctx);
    return slot ? slot : own_.data();
}

double LossValue::result(const idlab_exec_ctx_t& ctx) {
    if (idlab::loss_out(ctx)) return std::numeric_limits<double>::quiet_NaN();
    cudaStream_t stream = stream_of(ctx);
    check(cudaMemcpyAsync(pinned_, own_.data(), sizeof(double), cudaMemcpyDeviceToHost, stream),
          "copying the loss to the host");
    check(cudaStreamSynchronize(stream), "waiting for the loss");
    return *pinned_;
}

// ------------------------------------------------------------------ core.cross_entropy

idlab::ComponentSpec CudaCrossEntropy::spec() {
    idlab::ComponentSpec s = core::CrossEntropy::spec();
    s.devices = IDLAB_DEVICE_CUDA;
    s.doc += " On CUDA (features up to 64 wide): a fused softmax cross-entropy that sweeps the "
             "head's rows once per sample and the samples once per row, so the [batch, classes] "
             "probabilities are never stored (DIET with 1e5 classes and more).";
    return s;
}

CudaCrossEntropy::CudaCrossEntropy(const idlab::CreateContext& ctx, const idlab::Config& config) {
    require_cuda_device(ctx, "core.cross_entropy");
    // The CPU twin checks the config and the target field, and draws the head.
    const idlab_create_ctx_t cpu_ctx = cpu_twin(ctx);
    const core::CrossEntropy twin(idlab::CreateContext(&cpu_ctx), config);
    dim_ = twin.dim();
    require_narrow(dim_, "core.cross_entropy");
    classes_ = twin.classes();
    target_ = config.get_string("target");
    inputs_ = twin.inputs();
    normalize_rows_ = config.get_bool("normalize_rows");
    normalize_features_ = config.get_bool("normalize_features");
    learn_temperature_ = config.get_bool("learn_temperature");
    smoothing_ = static_cast<float>(config.get_float("label_smoothing"));

    head_.upload(twin.head_weight());
    head_grad_.reset(head_.size());
    head_grad_.fill_zero();
    const float beta = twin.beta();
    beta_.upload(&beta, 1);
    beta_grad_.reset(1);
    beta_grad_.fill_zero();
    if (smoothing_ > 0.0f) head_sum_.reset(static_cast<size_t>(dim_));
    if (learn_temperature_)
        beta_partials_.reset(static_cast<size_t>(kernels::cross_entropy_head_blocks(classes_)));

    const DLDevice dev = ctx.device();
    add_parameter("head.weight", head_.data(), head_grad_.data(), {classes_, dim_}, dev);
    if (learn_temperature_) add_parameter("beta", beta_.data(), beta_grad_.data(), {1}, dev);
}

void CudaCrossEntropy::ensure_capacity(int64_t batch) {
    if (batch <= capacity_) return;
    const size_t b = static_cast<size_t>(batch);
    row_loss_.reset(b);
    lse_.reset(b);
    if (normalize_features_) {
        unit_features_.reset(b * static_cast<size_t>(dim_));
        feature_norms_.reset(b);
        unit_grad_.reset(b * static_cast<size_t>(dim_));
    }
    capacity_ = batch;
}

double CudaCrossEntropy::forward(const idlab_exec_ctx_t& ctx, const DLTensor& features,
                                 const idlab::TensorSet& inputs, DLTensor* dfeatures) {
    require_device_tensor(features, "features", IDLAB_DTYPE_F32, -1, dim_);
    const int64_t batch = features.shape[0];
    if (batch < 1) idlab::argument_error("features: the batch is empty");
    const DLTensor& target = inputs.get(target_);
    require_device_tensor(target, target_.c_str(), IDLAB_DTYPE_I64, batch, 0);
    if (dfeatures) require_device_tensor(*dfeatures, "dfeatures", IDLAB_DTYPE_F32, batch, dim_);
    ensure_capacity(batch);
    cudaStream_t stream = stream_of(ctx);

    // Case C3: the rows of W projected to unit norm, in place, before the forward pass.
    if (normalize_rows_)
        kernels::output_rows(head_.data(), nullptr, classes_, dim_, true, nullptr, nullptr, stream);
    const float* f = idlab::data_of<float>(features);
    if (normalize_features_) {
        check(cudaMemcpyAsync(unit_features_.data(), f, sizeof(float) * static_cast<size_t>(batch * dim_),
                              cudaMemcpyDeviceToDevice, stream),
              "copying the features");
        kernels::output_rows(unit_features_.data(), nullptr, batch, dim_, true, nullptr,
                             feature_norms_.data(), stream);
        f = unit_features_.data();
    }
    if (smoothing_ > 0.0f) kernels::column_sums(head_.data(), classes_, dim_, head_sum_.data(), stream);

    kernels::CrossEntropyProblem p{f, head_.data(), idlab::data_of<int64_t>(target), beta_.data(),
                                   head_sum_.data(), batch, classes_, dim_, smoothing_};
    float* df = dfeatures ? idlab::data_of<float>(*dfeatures) : nullptr;
    float* df_rows = normalize_features_ && df ? unit_grad_.data() : df;
    kernels::cross_entropy_rows(p, row_loss_.data(), lse_.data(), df_rows, stream);
    kernels::mean_of_rows(row_loss_.data(), batch, loss_.target(ctx), stream);
    if (df) {
        kernels::cross_entropy_head_grad(p, lse_.data(), head_grad_.data(),
                                         learn_temperature_ ? beta_partials_.data() : nullptr, stream);
        if (learn_temperature_)
            kernels::sum_partials(beta_partials_.data(), static_cast<int64_t>(beta_partials_.size()),
                                  beta_grad_.data(), stream);
        // Back through the feature normalisation.
        if (normalize_features_)
            kernels::normalize_rows_backward(idlab::data_of<float>(features), feature_norms_.data(),
                                             unit_grad_.data(), batch, dim_, df, stream);
    }
    return loss_.result(ctx);
}

// ------------------------------------------------------------------ core.infonce

idlab::ComponentSpec CudaInfoNce::spec() {
    idlab::ComponentSpec s = core::InfoNce::spec();
    s.devices = IDLAB_DEVICE_CUDA;
    s.doc += " On CUDA (features up to 64 wide): fused kernels that never store the batch x "
             "batch logits.";
    return s;
}

CudaInfoNce::CudaInfoNce(const idlab::CreateContext& ctx, const idlab::Config& config) {
    require_cuda_device(ctx, "core.infonce");
    const idlab_create_ctx_t cpu_ctx = cpu_twin(ctx);
    const core::InfoNce twin(idlab::CreateContext(&cpu_ctx), config);
    dim_ = ctx.input_dim();
    require_narrow(dim_, "core.infonce");
    distance_ = twin.form() == core::InfoNce::Form::distance;
    temperature_ = twin.temperature();
    inputs_ = twin.inputs();
}

double CudaInfoNce::forward(const idlab_exec_ctx_t& ctx, const DLTensor& features,
                            const idlab::TensorSet& /*inputs*/, DLTensor* dfeatures) {
    require_device_tensor(features, "features", IDLAB_DTYPE_F32, -1, dim_);
    const int64_t rows = features.shape[0];
    if (rows < 2 || rows % 2 != 0)
        idlab::argument_error("features: expected the views x and x_pos stacked, 2 * batch rows, got " +
                              std::to_string(rows) + " rows");
    if (dfeatures) require_device_tensor(*dfeatures, "dfeatures", IDLAB_DTYPE_F32, rows, dim_);
    const int64_t batch = rows / 2;
    if (batch > capacity_) {
        row_loss_.reset(static_cast<size_t>(batch));
        lse_.reset(static_cast<size_t>(batch));
        capacity_ = batch;
    }
    cudaStream_t stream = stream_of(ctx);
    const kernels::InfoNceProblem p{idlab::data_of<float>(features), batch, dim_, 1.0f / temperature_, distance_};
    float* df = dfeatures ? idlab::data_of<float>(*dfeatures) : nullptr;
    kernels::infonce_anchors(p, row_loss_.data(), lse_.data(), df, stream);
    kernels::mean_of_rows(row_loss_.data(), batch, loss_.target(ctx), stream);
    if (df) kernels::infonce_negatives(p, lse_.data(), df, stream);
    return loss_.result(ctx);
}

}  // namespace idlab::cuda
