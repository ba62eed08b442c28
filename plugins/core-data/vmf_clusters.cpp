#include "vmf_clusters.hpp"

#include <cmath>
#include <cstdio>
#include <string>

namespace idlab::core {

namespace {
// Setup "purposes" of PhiloxStream::for_setup: independent streams per use.
constexpr uint32_t kPurposeClusterVectors = 1;
constexpr uint32_t kPurposeMixing = 2;

std::string format_double(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}

idlab_field_desc_t field(const char* name, idlab_dtype_t dtype, int64_t width, int64_t cardinality,
                         const char* doc) {
    idlab_field_desc_t f{};
    f.struct_size = sizeof(idlab_field_desc_t);
    f.name = name;
    f.dtype = dtype;
    f.width = width;
    f.cardinality = cardinality;
    f.doc = doc;
    return f;
}
}  // namespace

idlab::ComponentSpec VmfClusters::spec() {
    idlab::ComponentSpec s;
    s.id = kId;
    s.summary = "von Mises-Fisher clusters on the sphere, observed through a frozen invertible MLP";
    s.doc =
        "Cluster vectors v_1..v_K uniform on S^(d-1). A sample draws an instance index i ~ "
        "U{0..N-1}, label = i mod K, z ~ vMF(v_label, kappa) (Wood 1994) and x = g(z), g a frozen "
        "leaky-ReLU MLP of well-conditioned square layers. Fields: x, z, label, index.";
    s.devices = IDLAB_DEVICE_CPU;
    s.params = {
        idlab::Param::integer("latent_dim", "5", "dimension d of the latents z (on S^(d-1)) and observations x").at_least(2),
        idlab::Param::integer("clusters", "100", "number K of cluster vectors (classes)").at_least(1),
        idlab::Param::integer("samples", "1000", "number N of instance indices; label = index mod K").at_least(1),
        idlab::Param::floating("kappa", "10.0", "vMF concentration around the cluster vector").above(0),
        idlab::Param::integer("mixing_layers", "4", "layers of the mixing MLP g; 0 means x = z").at_least(0),
        idlab::Param::integer("mixing_trials", "25000", "random matrices whose minimum condition number bounds each layer's").at_least(1),
        idlab::Param::floating("mixing_slope", "0.2", "negative slope of the leaky ReLU between layers of g").above(0).below(1),
    };
    return s;
}

VmfClusters::VmfClusters(const idlab::CreateContext& ctx, const idlab::Config& config) {
    dim_ = config.get_int("latent_dim");
    clusters_ = config.get_int("clusters");
    samples_ = config.get_int("samples");
    const double kappa = config.get_float("kappa");
    const int64_t layers = config.get_int("mixing_layers");
    const int64_t trials = config.get_int("mixing_trials");
    const double slope = config.get_float("mixing_slope");

    // The host validates ranges already; these checks keep direct construction honest.
    if (dim_ < 2) idlab::config_error("latent_dim", "latent_dim must be at least 2, got " + std::to_string(dim_));
    if (dim_ > 65536) idlab::config_error("latent_dim", "latent_dim must be at most 65536, got " + std::to_string(dim_));
    if (clusters_ < 1) idlab::config_error("clusters", "clusters must be at least 1, got " + std::to_string(clusters_));
    if (samples_ < 1) idlab::config_error("samples", "samples must be at least 1, got " + std::to_string(samples_));
    if (!(kappa > 0.0) || !std::isfinite(kappa))
        idlab::config_error("kappa", "kappa must be a positive finite number, got " + format_double(kappa));
    if (layers < 0) idlab::config_error("mixing_layers", "mixing_layers must be >= 0, got " + std::to_string(layers));
    if (trials < 1) idlab::config_error("mixing_trials", "mixing_trials must be at least 1, got " + std::to_string(trials));
    if (!(slope > 0.0 && slope < 1.0))
        idlab::config_error("mixing_slope", "mixing_slope must lie in (0, 1), got " + format_double(slope));

    // Cluster vectors: normalised standard Gaussians, uniform on the sphere.
    PhiloxStream rng = PhiloxStream::for_setup(ctx.seed(), kPurposeClusterVectors);
    centers_.resize(static_cast<size_t>(clusters_ * dim_));
    for (int64_t c = 0; c < clusters_; ++c) {
        double* v = &centers_[static_cast<size_t>(c * dim_)];
        double norm2 = 0.0;
        do {
            norm2 = 0.0;
            for (int64_t k = 0; k < dim_; ++k) {
                v[k] = rng.normal();
                norm2 += v[k] * v[k];
            }
        } while (norm2 < 1e-300);
        const double inv = 1.0 / std::sqrt(norm2);
        for (int64_t k = 0; k < dim_; ++k) v[k] *= inv;
    }

    // Metrics read them as "data.cluster_vectors" (e.g. to score a head's rows against them).
    add_constant("cluster_vectors", centers_.data(), {clusters_, dim_});

    vmf_ = std::make_unique<VmfSampler>(dim_, kappa);
    mixing_ = std::make_unique<MixingMlp>(dim_, layers, trials, slope,
                                          PhiloxStream::for_setup(ctx.seed(), kPurposeMixing));
    if (layers > 0) {
        idlab::log(IDLAB_LOG_INFO, kId, "condition number threshold: " + format_double(mixing_->threshold()));
        for (int64_t l = 0; l < layers; ++l)
            idlab::log(IDLAB_LOG_INFO, kId,
                       "layer " + std::to_string(l + 1) + "/" + std::to_string(layers) +
                           ", condition number: " + format_double(mixing_->condition(l)));
    }

    fields_ = {
        field("x", IDLAB_DTYPE_F32, dim_, 0, "observation x = g(z)"),
        field("z", IDLAB_DTYPE_F32, dim_, 0, "ground-truth latent on the unit sphere"),
        field("label", IDLAB_DTYPE_I64, 0, clusters_, "class (cluster) of the sample: index mod clusters"),
        field("index", IDLAB_DTYPE_I64, 0, samples_, "instance index, uniform in [0, samples)"),
    };
    z_.resize(static_cast<size_t>(dim_));
    x_.resize(static_cast<size_t>(dim_));
    scratch_.resize(static_cast<size_t>(dim_));
}

void VmfClusters::sample(const idlab_exec_ctx_t& ctx, int64_t batch, const idlab::TensorSet& out) {
    if (batch < 0) idlab::argument_error("batch must be >= 0, got " + std::to_string(batch));
    DLTensor& xt = out.get_mutable("x");
    DLTensor& zt = out.get_mutable("z");
    DLTensor& lt = out.get_mutable("label");
    DLTensor& it = out.get_mutable("index");
    idlab::require_tensor(xt, "x", IDLAB_DTYPE_F32, batch, dim_);
    idlab::require_tensor(zt, "z", IDLAB_DTYPE_F32, batch, dim_);
    idlab::require_tensor(lt, "label", IDLAB_DTYPE_I64, batch, 0);
    idlab::require_tensor(it, "index", IDLAB_DTYPE_I64, batch, 0);
    float* x = idlab::data_of<float>(xt);
    float* z = idlab::data_of<float>(zt);
    int64_t* label = idlab::data_of<int64_t>(lt);
    int64_t* index = idlab::data_of<int64_t>(it);

    // Every sample reads only its own Philox stream, so rows do not depend on the batch size
    // and the loop could be split across threads.
    for (int64_t j = 0; j < batch; ++j) {
        PhiloxStream rng = PhiloxStream::for_sample(ctx.rng, static_cast<uint64_t>(j));
        const int64_t i = static_cast<int64_t>(rng.uniform_index(static_cast<uint64_t>(samples_)));
        const int64_t c = i % clusters_;
        vmf_->sample(rng, &centers_[static_cast<size_t>(c * dim_)], z_.data());
        mixing_->apply(z_.data(), x_.data(), scratch_.data());
        for (int64_t k = 0; k < dim_; ++k) {
            z[j * dim_ + k] = static_cast<float>(z_[static_cast<size_t>(k)]);
            x[j * dim_ + k] = static_cast<float>(x_[static_cast<size_t>(k)]);
        }
        label[j] = c;
        index[j] = i;
    }
}

}  // namespace idlab::core
