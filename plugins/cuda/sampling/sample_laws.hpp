// The random laws of the core data processes (plugins/core-data: scalar_laws, vmf_sampler,
// latent_conditional, sphere, mixing_mlp), written once more as IDLAB_HOST_DEVICE code over
// plain arrays so that a CUDA kernel can draw the very samples the CPU draws: the same Philox
// words (idlab/philox.hpp, shared with the CPU), consumed in the same order, through the same
// arithmetic in double precision. Compiled for the host (tests/cuda checks it against
// core-data bit for bit) and, by nvcc with --fmad=false, for the device, where only the last
// bits of log/exp/sin/cos can differ (CUDA's libm is within 1-2 ulp, not correctly rounded).
//
// Per-sample scratch is a StridedRow: element k of a row lives at p[k * stride], stride 1 on
// the host and the batch size on the device (so that a warp's accesses are coalesced).
#pragma once

#include <idlab/philox.hpp>

#include <math.h>
#include <stdint.h>

namespace idlab::cuda {

struct StridedRow {
    double* p;
    int64_t stride;
    IDLAB_HOST_DEVICE double& operator[](int64_t k) const { return p[k * stride]; }
};

struct ConstRow {
    const double* p;
    int64_t stride;
    IDLAB_HOST_DEVICE double operator[](int64_t k) const { return p[k * stride]; }
};

// std::min / std::max semantics (the first argument unless the second compares smaller/larger).
IDLAB_HOST_DEVICE inline double min_of(double a, double b) { return b < a ? b : a; }
IDLAB_HOST_DEVICE inline double max_of(double a, double b) { return a < b ? b : a; }

// ------------------------------------------------------------- scalar laws (scalar_laws.cpp)

IDLAB_HOST_DEVICE inline double random_sign(PhiloxStream& rng) {
    return (rng.next_u32() & 1u) ? -1.0 : 1.0;
}

// Marsaglia-Tsang for shape >= 1.
IDLAB_HOST_DEVICE inline double gamma_at_least_one(PhiloxStream& rng, double shape) {
    const double d = shape - 1.0 / 3.0;
    const double c = 1.0 / ::sqrt(9.0 * d);
    for (;;) {
        const double x = rng.normal();
        double v = 1.0 + c * x;
        if (v <= 0.0) continue;
        v = v * v * v;
        const double u = rng.uniform();
        const double x2 = x * x;
        if (u < 1.0 - 0.0331 * x2 * x2) return d * v;
        if (::log(u) < 0.5 * x2 + d * (1.0 - v + ::log(v))) return d * v;
    }
}

// Gamma(shape, 1): the boost for shape < 1 draws Gamma(shape + 1) first, then the uniform.
IDLAB_HOST_DEVICE inline double gamma_draw(PhiloxStream& rng, double shape) {
    if (shape < 1.0) {
        const double g = gamma_at_least_one(rng, shape + 1.0);
        return g * ::pow(rng.uniform(), 1.0 / shape);
    }
    return gamma_at_least_one(rng, shape);
}

IDLAB_HOST_DEVICE inline double beta_symmetric_draw(PhiloxStream& rng, double a) {
    const double x = gamma_draw(rng, a);
    const double y = gamma_draw(rng, a);
    return x / (x + y);
}

// The per-coordinate noise laws (NoiseLaw in scalar_laws.hpp, same order).
enum NoiseLawCode : int32_t { kNoiseNormal = 0, kNoiseLaplace = 1, kNoiseTruncatedLaplace = 2, kNoiseGeneralizedNormal = 3 };

struct NoiseParams {
    int32_t law = kNoiseNormal;
    double scale = 1.0;
    double shape = 2.0;
    double bound = 2.0;
};

IDLAB_HOST_DEVICE inline double noise_draw(PhiloxStream& rng, const NoiseParams& n) {
    switch (n.law) {
        case kNoiseNormal: return n.scale * rng.normal();
        case kNoiseLaplace: {
            const double magnitude = -n.scale * ::log(rng.uniform());
            return random_sign(rng) * magnitude;
        }
        case kNoiseTruncatedLaplace: {
            const double u = rng.uniform();
            const double magnitude =
                min_of(n.bound, -n.scale * ::log1p(u * ::expm1(-n.bound / n.scale)));
            return random_sign(rng) * magnitude;
        }
        case kNoiseGeneralizedNormal: {
            const double a = 1.0 / n.shape;
            double log_g;
            if (a < 1.0) {
                const double g = gamma_draw(rng, a + 1.0);  // drawn before the uniform
                log_g = ::log(g) + ::log(rng.uniform()) / a;
            } else {
                log_g = ::log(gamma_draw(rng, a));
            }
            const double magnitude = n.scale * ::exp(log_g / n.shape);
            return random_sign(rng) * magnitude;
        }
    }
    return 0.0;
}

// ------------------------------------------------------------------------ sphere (sphere.cpp)

IDLAB_HOST_DEVICE inline bool project_to_sphere(StridedRow v, int64_t dim) {
    double norm2 = 0.0;
    for (int64_t k = 0; k < dim; ++k) norm2 += v[k] * v[k];
    if (!(norm2 >= 1e-300)) return false;
    const double inv = 1.0 / ::sqrt(norm2);
    for (int64_t k = 0; k < dim; ++k) v[k] *= inv;
    return true;
}

IDLAB_HOST_DEVICE inline void uniform_on_sphere(PhiloxStream& rng, StridedRow out, int64_t dim) {
    do {
        for (int64_t k = 0; k < dim; ++k) out[k] = rng.normal();
    } while (!project_to_sphere(out, dim));
}

// ------------------------------------------------------------ conditionals (latent_conditional)

// Wood's envelope constants for vMF(kappa) on S^(dim-1), as VmfSampler computes them.
struct VmfEnvelope {
    double kappa = 1.0, b = 0.0, x0 = 0.0, c = 0.0;
};

inline VmfEnvelope vmf_envelope(int64_t dim, double kappa) {
    VmfEnvelope e;
    const double m1 = static_cast<double>(dim - 1);
    e.kappa = kappa;
    e.b = m1 / (::sqrt(4.0 * kappa * kappa + m1 * m1) + 2.0 * kappa);
    e.x0 = (1.0 - e.b) / (1.0 + e.b);
    e.c = kappa * e.x0 + m1 * ::log(1.0 - e.x0 * e.x0);
    return e;
}

// The law of a latent around a mean: vMF, or mean + per-coordinate noise (projected back to
// the sphere when `project`).
struct ConditionalParams {
    int32_t is_vmf = 1;
    VmfEnvelope vmf;
    NoiseParams noise;
    int32_t project = 0;
};

IDLAB_HOST_DEVICE inline double vmf_cosine(PhiloxStream& rng, const VmfEnvelope& e, int64_t dim) {
    const double m1 = static_cast<double>(dim - 1);
    for (;;) {
        const double z = beta_symmetric_draw(rng, 0.5 * m1);
        const double w = (1.0 - (1.0 + e.b) * z) / (1.0 - (1.0 - e.b) * z);
        const double u = rng.uniform();
        if (e.kappa * w + m1 * ::log(1.0 - e.x0 * w) - e.c >= ::log(u)) return w;
    }
}

IDLAB_HOST_DEVICE inline void vmf_draw(PhiloxStream& rng, const VmfEnvelope& e, ConstRow mu,
                                       StridedRow out, int64_t dim) {
    const double w = vmf_cosine(rng, e, dim);
    double norm2 = 0.0;
    do {
        double dot = 0.0;
        for (int64_t k = 0; k < dim; ++k) {
            out[k] = rng.normal();
            dot += out[k] * mu[k];
        }
        norm2 = 0.0;
        for (int64_t k = 0; k < dim; ++k) {
            out[k] -= dot * mu[k];
            norm2 += out[k] * out[k];
        }
    } while (norm2 < 1e-300);
    const double scale = ::sqrt(max_of(0.0, 1.0 - w * w) / norm2);
    for (int64_t k = 0; k < dim; ++k) out[k] = scale * out[k] + w * mu[k];
}

IDLAB_HOST_DEVICE inline void conditional_draw(PhiloxStream& rng, const ConditionalParams& p,
                                               ConstRow mean, StridedRow out, int64_t dim) {
    if (p.is_vmf) {
        vmf_draw(rng, p.vmf, mean, out, dim);
        return;
    }
    do {
        for (int64_t k = 0; k < dim; ++k) out[k] = mean[k] + noise_draw(rng, p.noise);
    } while (p.project && !project_to_sphere(out, dim));
}

// ------------------------------------------------------------------------ mixing (mixing_mlp)

// g(z) = A_L s(... s(A_1 z)): `layers` row-major dim x dim matrices one after the other.
struct MixingParams {
    int64_t layers = 0;
    double slope = 0.2;
    const double* matrices = nullptr;
};

// x = g(z); z, x and scratch must not overlap.
IDLAB_HOST_DEVICE inline void mixing_apply(const MixingParams& g, ConstRow z, StridedRow x,
                                           StridedRow scratch, int64_t dim) {
    if (g.layers == 0) {
        for (int64_t k = 0; k < dim; ++k) x[k] = z[k];
        return;
    }
    ConstRow in = z;
    for (int64_t l = 0; l < g.layers; ++l) {
        StridedRow out = ((g.layers - 1 - l) % 2 == 0) ? x : scratch;
        const double* a = g.matrices + l * dim * dim;
        const bool last = l == g.layers - 1;
        for (int64_t r = 0; r < dim; ++r) {
            double s = 0.0;
            for (int64_t k = 0; k < dim; ++k) s += a[r * dim + k] * in[k];
            out[r] = (last || s >= 0.0) ? s : g.slope * s;
        }
        in = ConstRow{out.p, out.stride};
    }
}

}  // namespace idlab::cuda
