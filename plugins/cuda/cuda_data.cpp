#include "cuda_data.hpp"

#include "kernels/sampling_kernels.cuh"
#include "runtime/exec.hpp"
#include "sampling/sampler_setup.hpp"

namespace idlab::cuda {

namespace {
const char* kDeviceNote =
    " On CUDA: every batch is drawn on the GPU, one thread per sample, from the same Philox "
    "streams as on the CPU (same seed, same data).";
}  // namespace

// ---------------------------------------------------------------- core.vmf_clusters

idlab::ComponentSpec CudaVmfClusters::spec() {
    idlab::ComponentSpec s = core::VmfClusters::spec();
    s.devices = IDLAB_DEVICE_CUDA;
    s.doc += kDeviceNote;
    return s;
}

CudaVmfClusters::CudaVmfClusters(const idlab::CreateContext& ctx, const idlab::Config& config) {
    require_cuda_device(ctx, core::VmfClusters::kId);
    const idlab_create_ctx_t cpu_ctx = cpu_twin(ctx);
    twin_ = std::make_unique<core::VmfClusters>(idlab::CreateContext(&cpu_ctx), config);
    sampler_ = cluster_sampler(*twin_);
    centers_.upload(twin_->cluster_vectors());
    const std::vector<double> matrices = mixing_matrices(twin_->mixing());
    mixing_.upload(matrices);
    const double kappa = twin_->kappa();
    kappa_.upload(&kappa, 1);
    sampler_.centers = centers_.data();
    sampler_.mixing.matrices = mixing_.data();
    // The same constants as the CPU component, on the device (metrics read CPU copies).
    const DLDevice dev = ctx.device();
    add_constant("cluster_vectors", centers_.data(), {twin_->clusters(), twin_->latent_dim()}, dev);
    add_constant("kappa", kappa_.data(), {1}, dev);
}

void CudaVmfClusters::sample(const idlab_exec_ctx_t& ctx, int64_t batch, const idlab::TensorSet& out) {
    if (batch < 0) idlab::argument_error("batch must be >= 0, got " + std::to_string(batch));
    const int64_t d = sampler_.dim;
    DLTensor& xt = out.get_mutable("x");
    DLTensor& zt = out.get_mutable("z");
    DLTensor& lt = out.get_mutable("label");
    DLTensor& it = out.get_mutable("index");
    require_device_tensor(xt, "x", IDLAB_DTYPE_F32, batch, d);
    require_device_tensor(zt, "z", IDLAB_DTYPE_F32, batch, d);
    require_device_tensor(lt, "label", IDLAB_DTYPE_I64, batch, 0);
    require_device_tensor(it, "index", IDLAB_DTYPE_I64, batch, 0);
    scratch_.ensure(static_cast<size_t>(3 * d * batch));  // grows on the first larger batch only
    kernels::sample_clusters(sampler_, ctx.rng, batch, scratch_.data(), idlab::data_of<float>(xt),
                             idlab::data_of<float>(zt), idlab::data_of<int64_t>(lt),
                             idlab::data_of<int64_t>(it), stream_of(ctx));
}

// ---------------------------------------------------------------- core.contrastive_pairs

idlab::ComponentSpec CudaContrastivePairs::spec() {
    idlab::ComponentSpec s = core::ContrastivePairs::spec();
    s.devices = IDLAB_DEVICE_CUDA;
    s.doc += kDeviceNote;
    return s;
}

CudaContrastivePairs::CudaContrastivePairs(const idlab::CreateContext& ctx, const idlab::Config& config) {
    require_cuda_device(ctx, core::ContrastivePairs::kId);
    const idlab_create_ctx_t cpu_ctx = cpu_twin(ctx);
    twin_ = std::make_unique<core::ContrastivePairs>(idlab::CreateContext(&cpu_ctx), config);
    sampler_ = pair_sampler(*twin_, config.get_float("kappa"));
    const std::vector<double> matrices = mixing_matrices(twin_->mixing());
    mixing_.upload(matrices);
    sampler_.mixing.matrices = mixing_.data();
}

void CudaContrastivePairs::sample(const idlab_exec_ctx_t& ctx, int64_t batch, const idlab::TensorSet& out) {
    if (batch < 0) idlab::argument_error("batch must be >= 0, got " + std::to_string(batch));
    const int64_t d = sampler_.dim;
    DLTensor& xt = out.get_mutable("x");
    DLTensor& xpt = out.get_mutable("x_pos");
    DLTensor& zt = out.get_mutable("z");
    DLTensor& zpt = out.get_mutable("z_pos");
    for (auto [t, name] : {std::pair<DLTensor*, const char*>{&xt, "x"}, {&xpt, "x_pos"}, {&zt, "z"}, {&zpt, "z_pos"}})
        require_device_tensor(*t, name, IDLAB_DTYPE_F32, batch, d);
    scratch_.ensure(static_cast<size_t>(4 * d * batch));
    kernels::sample_pairs(sampler_, ctx.rng, batch, scratch_.data(), idlab::data_of<float>(xt),
                          idlab::data_of<float>(xpt), idlab::data_of<float>(zt),
                          idlab::data_of<float>(zpt), stream_of(ctx));
}

}  // namespace idlab::cuda
