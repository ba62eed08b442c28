#include "contrastive_pairs.hpp"

#include "number_text.hpp"
#include "sphere.hpp"

#include <cmath>
#include <cstdio>
#include <string>

namespace idlab::core {

namespace {
// Setup purpose of the mixing's stream (see PhiloxStream::for_setup).
constexpr uint32_t kPurposeMixing = 2;

idlab_field_desc_t field(const char* name, int64_t width, const char* doc) {
    idlab_field_desc_t f{};
    f.struct_size = sizeof(idlab_field_desc_t);
    f.name = name;
    f.dtype = IDLAB_DTYPE_F32;
    f.width = width;
    f.cardinality = 0;
    f.doc = doc;
    return f;
}

void write_row(float* dst, const double* src, int64_t n) {
    for (int64_t k = 0; k < n; ++k) dst[k] = static_cast<float>(src[k]);
}
}  // namespace

idlab::ComponentSpec ContrastivePairs::spec() {
    idlab::ComponentSpec s;
    s.id = kId;
    s.summary = "positive pairs for InfoNCE (Zimmermann et al. 2021): anchors on a box or a sphere, "
                "positives from a conditional, through a frozen invertible MLP";
    s.doc =
        "Anchor z uniform on [0, 1]^d (space = \"box\") or on S^(d-1) (\"sphere\"); positive z_pos from "
        "Normal(z, s^2) or Laplace(z, s) per coordinate (s = conditional_scale) or vMF(z, kappa) (sphere "
        "only). In the box, coordinates of z_pos outside [0, 1] are redrawn (coordinate-wise rejection, as "
        "in cl-ica); on the sphere Normal and Laplace positives are projected back. x = g(z) and "
        "x_pos = g(z_pos) through a frozen leaky-ReLU MLP of well-conditioned square layers (cl-ica's "
        "default: 3 layers). Negatives come from the batch (the loss's business). Fields: x, x_pos, z, "
        "z_pos. cl-ica's defaults: d = 10, box, Normal with std 0.05.";
    s.devices = IDLAB_DEVICE_CPU;
    s.params = {
        idlab::Param::integer("latent_dim", "10", "dimension d of the latents and observations").at_least(1),
        idlab::Param::string("space", "\"box\"", "latent space: the unit box [0, 1]^d or the unit sphere S^(d-1)")
            .one_of("box|sphere"),
        idlab::Param::string("conditional", "\"normal\"", "law of the positive z_pos around the anchor z")
            .one_of("normal|laplace|vmf"),
        idlab::Param::floating("conditional_scale", "0.05",
                               "std (normal) or scale b (laplace) of the positive's noise; at most 10, "
                               "beyond which box rejection gets slow and z_pos forgets z")
            .above(0).at_most(10),
        idlab::Param::floating("kappa", "10.0", "vMF concentration of the positive (conditional = \"vmf\")").above(0),
        idlab::Param::integer("mixing_layers", "3", "layers of the mixing MLP g; 0 means x = z").at_least(0),
        idlab::Param::integer("mixing_trials", "25000", "random matrices whose minimum condition number bounds each layer's").at_least(1),
        idlab::Param::floating("mixing_slope", "0.2", "negative slope of the leaky ReLU between layers of g").above(0).below(1),
    };
    return s;
}

ContrastivePairs::ContrastivePairs(const idlab::CreateContext& ctx, const idlab::Config& config)
    : team_(ctx.threads()) {
    dim_ = config.get_int("latent_dim");
    const std::string space = config.get_string("space");
    const std::string conditional = config.get_string("conditional");
    const double scale = config.get_float("conditional_scale");
    const double kappa = config.get_float("kappa");
    const int64_t layers = config.get_int("mixing_layers");
    const int64_t trials = config.get_int("mixing_trials");
    const double slope = config.get_float("mixing_slope");

    // The host validates ranges already; these checks keep direct construction honest.
    if (dim_ < 1) idlab::config_error("latent_dim", "latent_dim must be at least 1, got " + std::to_string(dim_));
    if (dim_ > 65536) idlab::config_error("latent_dim", "latent_dim must be at most 65536, got " + std::to_string(dim_));
    if (space != "box" && space != "sphere")
        idlab::config_error("space", "space must be box or sphere, got '" + space + "'");
    sphere_ = space == "sphere";
    if (sphere_ && dim_ < 2)
        idlab::config_error("latent_dim", "space = \"sphere\" needs latent_dim >= 2, got " + std::to_string(dim_));
    if (!(scale > 0.0 && scale <= 10.0))
        idlab::config_error("conditional_scale", "conditional_scale must lie in (0, 10], got " + format_double(scale));
    if (!(kappa > 0.0) || !std::isfinite(kappa))
        idlab::config_error("kappa", "kappa must be a positive finite number, got " + format_double(kappa));
    if (layers < 0) idlab::config_error("mixing_layers", "mixing_layers must be >= 0, got " + std::to_string(layers));
    if (trials < 1) idlab::config_error("mixing_trials", "mixing_trials must be at least 1, got " + std::to_string(trials));
    if (!(slope > 0.0 && slope < 1.0))
        idlab::config_error("mixing_slope", "mixing_slope must lie in (0, 1), got " + format_double(slope));

    if (conditional == "vmf") {
        if (!sphere_)
            idlab::config_error("conditional", "conditional = \"vmf\" lives on the sphere; use space = \"sphere\" "
                                               "or a normal / laplace conditional in the box");
        conditional_ = std::make_unique<LatentConditional>(LatentConditional::vmf(dim_, kappa));
    } else {
        CoordinateNoise noise;
        noise.scale = scale;
        if (conditional == "normal") noise.law = NoiseLaw::Normal;
        else if (conditional == "laplace") noise.law = NoiseLaw::Laplace;
        else
            idlab::config_error("conditional", "conditional must be one of normal, laplace, vmf; got '" +
                                                   conditional + "'");
        // On the sphere the positive is projected back; the box handles its bounds itself.
        conditional_ = std::make_unique<LatentConditional>(LatentConditional::additive(dim_, noise, sphere_));
    }

    mixing_ = std::make_unique<MixingMlp>(dim_, layers, trials, slope,
                                          PhiloxStream::for_setup(ctx.seed(), kPurposeMixing));
    for (const std::string& line : mixing_->conditioning_report()) idlab::log(IDLAB_LOG_INFO, kId, line);

    fields_ = {
        field("x", dim_, "observation of the anchor, x = g(z)"),
        field("x_pos", dim_, "observation of the positive, x_pos = g(z_pos)"),
        field("z", dim_, "ground-truth anchor latent"),
        field("z_pos", dim_, "ground-truth positive latent, drawn around z"),
    };
    const size_t work = static_cast<size_t>(idlab::padded_stride<double>(dim_)) * team_.size();
    z_.resize(work);
    z_pos_.resize(work);
    x_.resize(work);
    scratch_.resize(work);
}

void ContrastivePairs::sample_anchor(PhiloxStream& rng, double* z) const {
    if (sphere_) {
        sample_uniform_on_sphere(rng, z, dim_);
        return;
    }
    for (int64_t k = 0; k < dim_; ++k) z[k] = rng.uniform();
}

void ContrastivePairs::sample_positive(PhiloxStream& rng, const double* z, double* z_pos) const {
    if (sphere_) {
        conditional_->sample(rng, z, z_pos);
        return;
    }
    // Coordinate-wise rejection: only the coordinates outside the box are redrawn. With
    // conditional_scale <= 10 a coordinate is accepted with probability above 1/30.
    const CoordinateNoise& noise = conditional_->noise();
    for (int64_t k = 0; k < dim_; ++k) {
        double v;
        do {
            v = z[k] + noise.draw(rng);
        } while (v < 0.0 || v > 1.0);
        z_pos[k] = v;
    }
}

void ContrastivePairs::sample(const idlab_exec_ctx_t& ctx, int64_t batch, const idlab::TensorSet& out) {
    if (batch < 0) idlab::argument_error("batch must be >= 0, got " + std::to_string(batch));
    DLTensor& xt = out.get_mutable("x");
    DLTensor& xpt = out.get_mutable("x_pos");
    DLTensor& zt = out.get_mutable("z");
    DLTensor& zpt = out.get_mutable("z_pos");
    idlab::require_tensor(xt, "x", IDLAB_DTYPE_F32, batch, dim_);
    idlab::require_tensor(xpt, "x_pos", IDLAB_DTYPE_F32, batch, dim_);
    idlab::require_tensor(zt, "z", IDLAB_DTYPE_F32, batch, dim_);
    idlab::require_tensor(zpt, "z_pos", IDLAB_DTYPE_F32, batch, dim_);
    float* x = idlab::data_of<float>(xt);
    float* x_pos = idlab::data_of<float>(xpt);
    float* z = idlab::data_of<float>(zt);
    float* z_pos = idlab::data_of<float>(zpt);

    // Every sample reads only its own Philox stream: rows do not depend on the batch size nor on
    // which member of the team draws them.
    const int64_t parts = (batch + kRowsPerPart - 1) / kRowsPerPart;
    team_.run([&](idlab::TeamMember& me) {
        const int64_t at = me.index() * idlab::padded_stride<double>(dim_);
        double* const zw = z_.data() + at;
        double* const zpw = z_pos_.data() + at;
        double* const xw = x_.data() + at;
        double* const sw = scratch_.data() + at;
        me.share(parts, [&](int64_t part) {
          const Span rows = split_evenly(batch, parts, part);
          for (int64_t j = rows.begin; j < rows.end; ++j) {
            PhiloxStream rng = PhiloxStream::for_sample(ctx.rng, static_cast<uint64_t>(j));
            sample_anchor(rng, zw);
            sample_positive(rng, zw, zpw);
            write_row(z + j * dim_, zw, dim_);
            write_row(z_pos + j * dim_, zpw, dim_);
            mixing_->apply(zw, xw, sw);
            write_row(x + j * dim_, xw, dim_);
            mixing_->apply(zpw, xw, sw);
            write_row(x_pos + j * dim_, xw, dim_);
          }
        });
    });
}

}  // namespace idlab::core
