#include "vmf_clusters.hpp"

#include "cluster_vectors.hpp"
#include "number_text.hpp"

#include <cmath>
#include <cstdio>
#include <optional>
#include <string>

namespace idlab::core {

namespace {
// Setup "purposes" of PhiloxStream::for_setup: independent streams per use.
constexpr uint32_t kPurposeClusterVectors = 1;
constexpr uint32_t kPurposeMixing = 2;

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

void require_positive_finite(const idlab::Config& config, const char* key) {
    const double v = config.get_float(key);
    if (!(v > 0.0) || !std::isfinite(v))
        idlab::config_error(key, std::string(key) + " must be a positive finite number, got " + format_double(v));
}

void require_shape(const idlab::Config& config, const char* key) {
    const double v = config.get_float(key);
    if (!(v >= 0.1) || !std::isfinite(v))
        idlab::config_error(key, std::string(key) + " must be a finite number >= 0.1, got " + format_double(v));
}

// Cluster vectors: empty for uniform on the sphere, else the noise added to e1.
std::optional<CoordinateNoise> cluster_noise(const idlab::Config& config) {
    const std::string name = config.get_string("cluster_distribution");
    CoordinateNoise noise;
    noise.scale = config.get_float("cluster_scale");
    noise.shape = config.get_float("cluster_shape");
    if (name == "uniform") return std::nullopt;
    if (name == "laplace") noise.law = NoiseLaw::Laplace;
    else if (name == "normal") noise.law = NoiseLaw::Normal;
    else if (name == "gennorm") noise.law = NoiseLaw::GeneralizedNormal;
    else
        idlab::config_error("cluster_distribution", "cluster_distribution must be one of uniform, laplace, "
                                                    "normal, gennorm; got '" + name + "'");
    return noise;
}

LatentConditional make_conditional(const idlab::Config& config, int64_t dim, double kappa) {
    const std::string name = config.get_string("conditional");
    if (name == "vmf") return LatentConditional::vmf(dim, kappa);
    CoordinateNoise noise;
    noise.scale = config.get_float("conditional_scale");
    noise.shape = config.get_float("conditional_shape");
    noise.bound = config.get_float("truncation");
    bool project = true;
    if (name == "laplace") noise.law = NoiseLaw::Laplace;
    else if (name == "normal") noise.law = NoiseLaw::Normal;
    else if (name == "gennorm") noise.law = NoiseLaw::GeneralizedNormal;
    else if (name == "truncated_laplace") {
        noise.law = NoiseLaw::TruncatedLaplace;
        project = false;  // as in the reference code: z leaves the sphere
    } else
        idlab::config_error("conditional", "conditional must be one of vmf, laplace, normal, "
                                           "truncated_laplace, gennorm; got '" + name + "'");
    return LatentConditional::additive(dim, noise, project);
}

// The theory's requirements on the number of clusters (paper Appx. A).
// check_assumptions = false turns the hard error into a warning, for experiments that violate
// the assumption on purpose (the paper's Fig. 5 middle runs |C| = 10 with d = 10 and 20).
void check_cluster_assumptions(int64_t dim, int64_t clusters, int64_t samples, bool strict) {
    if (clusters < dim + 1) {
        const std::string why =
            "clusters = " + std::to_string(clusters) + " is below latent_dim + 1 = " +
            std::to_string(dim + 1) + ": the cluster vectors must form an affine generator "
            "system of R^d (paper Assumption 1C(i), Definition 1), which needs at least d + 1 of them";
        if (strict)
            idlab::config_error("clusters", why + "; set check_assumptions = false to run it anyway");
        idlab::log(IDLAB_LOG_WARN, VmfClusters::kId, why + " (check_assumptions = false: running anyway)");
    }
    if (clusters < 2 * dim)
        idlab::log(IDLAB_LOG_WARN, VmfClusters::kId,
                   "clusters = " + std::to_string(clusters) + " < 2 * latent_dim = " + std::to_string(2 * dim) +
                       ": with a normalised head (case C3), Assumption 2 needs |C| >= 2d, so the "
                       "identifiability result for unit-norm head rows does not apply");
    if (samples < clusters)
        idlab::log(IDLAB_LOG_WARN, VmfClusters::kId,
                   "samples = " + std::to_string(samples) + " < clusters = " + std::to_string(clusters) +
                       ": label = index mod clusters, so only the first " + std::to_string(samples) +
                       " clusters ever occur");
}
}  // namespace

idlab::ComponentSpec VmfClusters::spec() {
    idlab::ComponentSpec s;
    s.id = kId;
    s.summary = "clusters of latents on the sphere (vMF or misspecified), observed through a frozen invertible MLP";
    s.doc =
        "Cluster vectors v_1..v_K on S^(d-1): uniform (cluster_distribution = \"uniform\"), or e1 plus "
        "per-coordinate Laplace(0, s) / N(0, s^2) / generalized-normal noise (s = cluster_scale), projected "
        "to the sphere (paper Table 5). A sample draws an instance index i ~ U{0..N-1}, label = i mod K, a "
        "latent z around v = v_label and x = g(z), g a frozen leaky-ReLU MLP of well-conditioned square "
        "layers. Conditionals (s = conditional_scale): vmf = vMF(v, kappa) (Wood 1994); laplace / normal = "
        "v + per-coordinate Laplace(0, s) / N(0, s^2) noise, projected to the sphere; truncated_laplace = "
        "v + Laplace(0, s) noise truncated to [-truncation, truncation], not projected (z leaves the "
        "sphere); gennorm = v + noise with density proportional to exp(-(|x| / s)^conditional_shape), "
        "projected (shape 1 is Laplace(0, s), shape 2 is N(0, s^2 / 2)). Mapping to the reference code "
        "(klindtlab/csi --c-p, --c-param, --beta-param): kappa = c_param for the vMF; every other "
        "conditional uses scale c_param / 10, so its Table 2 rows 'Laplace(b = 1.0)' and "
        "'Normal(sigma^2 = 1.0)' (c_param = 10) are conditional_scale = 1.0; --beta-param is truncation "
        "(truncated Laplace) or conditional_shape (gennorm). label_noise p: independently with "
        "probability p each, the label is replaced by a uniform class in [0, K) and the index by a "
        "uniform index in [0, N) (paper Fig. 6); z and x stay those of the true cluster. Checks: "
        "clusters >= latent_dim + 1 (affine generator system, Assumption 1C(i)); a warning when "
        "clusters < 2 latent_dim (Assumption 2, needed with unit-norm head rows) or samples < clusters. "
        "Fields: x, z, label, index. Constants: cluster_vectors (f64 [K, d]), kappa (f64 [1]).";
    s.devices = IDLAB_DEVICE_CPU;
    s.params = {
        idlab::Param::integer("latent_dim", "5", "dimension d of the latents z (on S^(d-1)) and observations x").at_least(2),
        idlab::Param::integer("clusters", "100", "number K of cluster vectors (classes); at least latent_dim + 1").at_least(1),
        idlab::Param::integer("samples", "1000", "number N of instance indices; label = index mod K").at_least(1),
        idlab::Param::floating("kappa", "10.0", "vMF concentration around the cluster vector (conditional = \"vmf\")").above(0),
        idlab::Param::string("cluster_distribution", "\"uniform\"", "cluster vectors: uniform on the sphere, or e1 + noise of this law, projected")
            .one_of("uniform|laplace|normal|gennorm"),
        idlab::Param::floating("cluster_scale", "1.0", "scale s of the cluster-vector noise (Laplace b, Normal std, gennorm alpha)").above(0),
        idlab::Param::floating("cluster_shape", "2.0", "shape beta of the generalized-normal cluster-vector noise (1 Laplace, 2 Normal)").at_least(0.1),
        idlab::Param::string("conditional", "\"vmf\"", "law of z around its cluster vector")
            .one_of("vmf|laplace|normal|truncated_laplace|gennorm"),
        idlab::Param::floating("conditional_scale", "1.0", "scale s of a non-vMF conditional (reference code: c_param / 10)").above(0),
        idlab::Param::floating("conditional_shape", "2.0", "shape beta of the gennorm conditional (1 Laplace, 2 Normal)").at_least(0.1),
        idlab::Param::floating("truncation", "2.0", "truncated_laplace: the noise of every coordinate stays in [-truncation, truncation]").above(0),
        idlab::Param::floating("label_noise", "0.0", "probability that label (resp. index) is replaced by a uniformly drawn one").at_least(0).at_most(1),
        idlab::Param::boolean("check_assumptions", "true", "refuse clusters < latent_dim + 1 (false: only warn, for deliberate violations)"),
        idlab::Param::integer("mixing_layers", "4", "layers of the mixing MLP g; 0 means x = z").at_least(0),
        idlab::Param::integer("mixing_trials", "25000", "random matrices whose minimum condition number bounds each layer's").at_least(1),
        idlab::Param::floating("mixing_slope", "0.2", "negative slope of the leaky ReLU between layers of g").above(0).below(1),
    };
    return s;
}

VmfClusters::VmfClusters(const idlab::CreateContext& ctx, const idlab::Config& config)
    : team_(ctx.threads()) {
    dim_ = config.get_int("latent_dim");
    clusters_ = config.get_int("clusters");
    samples_ = config.get_int("samples");
    kappa_ = config.get_float("kappa");
    label_noise_ = config.get_float("label_noise");
    const int64_t layers = config.get_int("mixing_layers");
    const int64_t trials = config.get_int("mixing_trials");
    const double slope = config.get_float("mixing_slope");

    // The host validates ranges already; these checks keep direct construction honest.
    if (dim_ < 2) idlab::config_error("latent_dim", "latent_dim must be at least 2, got " + std::to_string(dim_));
    if (dim_ > 65536) idlab::config_error("latent_dim", "latent_dim must be at most 65536, got " + std::to_string(dim_));
    if (clusters_ < 1) idlab::config_error("clusters", "clusters must be at least 1, got " + std::to_string(clusters_));
    if (samples_ < 1) idlab::config_error("samples", "samples must be at least 1, got " + std::to_string(samples_));
    require_positive_finite(config, "kappa");
    require_positive_finite(config, "cluster_scale");
    require_positive_finite(config, "conditional_scale");
    require_positive_finite(config, "truncation");
    require_shape(config, "cluster_shape");
    require_shape(config, "conditional_shape");
    if (!(label_noise_ >= 0.0 && label_noise_ <= 1.0))
        idlab::config_error("label_noise", "label_noise must lie in [0, 1], got " + format_double(label_noise_));
    if (layers < 0) idlab::config_error("mixing_layers", "mixing_layers must be >= 0, got " + std::to_string(layers));
    if (trials < 1) idlab::config_error("mixing_trials", "mixing_trials must be at least 1, got " + std::to_string(trials));
    if (!(slope > 0.0 && slope < 1.0))
        idlab::config_error("mixing_slope", "mixing_slope must lie in (0, 1), got " + format_double(slope));
    const std::optional<CoordinateNoise> around_e1 = cluster_noise(config);
    conditional_ = std::make_unique<LatentConditional>(make_conditional(config, dim_, kappa_));
    check_cluster_assumptions(dim_, clusters_, samples_, config.get_bool("check_assumptions"));

    PhiloxStream rng = PhiloxStream::for_setup(ctx.seed(), kPurposeClusterVectors);
    centers_ = draw_cluster_vectors(rng, clusters_, dim_, around_e1);

    // Metrics read them as "data.cluster_vectors" (to score a head's rows against them) and
    // "data.kappa" (singular values of the fitted map against 1 / kappa).
    add_constant("cluster_vectors", centers_.data(), {clusters_, dim_});
    add_constant("kappa", &kappa_, {1});

    mixing_ = std::make_unique<MixingMlp>(dim_, layers, trials, slope,
                                          PhiloxStream::for_setup(ctx.seed(), kPurposeMixing));
    for (const std::string& line : mixing_->conditioning_report()) idlab::log(IDLAB_LOG_INFO, kId, line);

    fields_ = {
        field("x", IDLAB_DTYPE_F32, dim_, 0, "observation x = g(z)"),
        field("z", IDLAB_DTYPE_F32, dim_, 0,
              "ground-truth latent (on the unit sphere except for the truncated_laplace conditional)"),
        field("label", IDLAB_DTYPE_I64, 0, clusters_,
              "class of the sample: index mod clusters, unless label noise replaced it"),
        field("index", IDLAB_DTYPE_I64, 0, samples_,
              "instance index, uniform in [0, samples); label noise may replace it"),
    };
    const size_t work = static_cast<size_t>(idlab::padded_stride<double>(dim_)) * team_.size();
    z_.resize(work);
    x_.resize(work);
    scratch_.resize(work);
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
    // nor on which member of the team draws them.
    const int64_t parts = (batch + kRowsPerPart - 1) / kRowsPerPart;
    team_.run([&](idlab::TeamMember& me) {
        me.share(parts, [&](int64_t part) {
            sample_rows(ctx.rng, split_evenly(batch, parts, part), me.index(), x, z, label, index);
        });
    });
}

void VmfClusters::sample_rows(const idlab_rng_t& base, Span rows, unsigned member, float* x,
                              float* z, int64_t* label, int64_t* index) {
    const int64_t at = member * idlab::padded_stride<double>(dim_);
    double* const zw = z_.data() + at;
    double* const xw = x_.data() + at;
    double* const sw = scratch_.data() + at;
    for (int64_t j = rows.begin; j < rows.end; ++j) {
        PhiloxStream rng = PhiloxStream::for_sample(base, static_cast<uint64_t>(j));
        const int64_t i = static_cast<int64_t>(rng.uniform_index(static_cast<uint64_t>(samples_)));
        const int64_t c = i % clusters_;
        conditional_->sample(rng, &centers_[static_cast<size_t>(c * dim_)], zw);
        mixing_->apply(zw, xw, sw);
        for (int64_t k = 0; k < dim_; ++k) {
            z[j * dim_ + k] = static_cast<float>(zw[k]);
            x[j * dim_ + k] = static_cast<float>(xw[k]);
        }
        index[j] = i;
        label[j] = c;
        // Drawn after the latent, so that z, x and the true cluster do not depend on the noise
        // level: runs that differ only in label_noise see the same latents.
        if (label_noise_ > 0.0) {
            if (rng.uniform() < label_noise_)
                index[j] = static_cast<int64_t>(rng.uniform_index(static_cast<uint64_t>(samples_)));
            if (rng.uniform() < label_noise_)
                label[j] = static_cast<int64_t>(rng.uniform_index(static_cast<uint64_t>(clusters_)));
        }
    }
}

}  // namespace idlab::core
