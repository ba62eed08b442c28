#include "scalar_laws.hpp"

#include <algorithm>
#include <cmath>

namespace idlab::core {

namespace {
// A fair random sign from one bit of the stream.
double random_sign(PhiloxStream& rng) { return (rng.next_u32() & 1u) ? -1.0 : 1.0; }
}  // namespace

double sample_gamma(PhiloxStream& rng, double shape) {
    if (shape < 1.0) {
        // Marsaglia-Tsang needs shape >= 1; raise the shape by one and scale back down.
        const double g = sample_gamma(rng, shape + 1.0);
        return g * std::pow(rng.uniform(), 1.0 / shape);
    }
    const double d = shape - 1.0 / 3.0;
    const double c = 1.0 / std::sqrt(9.0 * d);
    for (;;) {
        const double x = rng.normal();
        double v = 1.0 + c * x;
        if (v <= 0.0) continue;
        v = v * v * v;
        const double u = rng.uniform();
        const double x2 = x * x;
        if (u < 1.0 - 0.0331 * x2 * x2) return d * v;  // cheap squeeze
        if (std::log(u) < 0.5 * x2 + d * (1.0 - v + std::log(v))) return d * v;
    }
}

double sample_beta_symmetric(PhiloxStream& rng, double a) {
    const double x = sample_gamma(rng, a);
    const double y = sample_gamma(rng, a);
    return x / (x + y);
}

double sample_laplace(PhiloxStream& rng, double scale) {
    // |x| ~ Exponential(scale); uniform() lies in (0, 1), so the logarithm is finite.
    const double magnitude = -scale * std::log(rng.uniform());
    return random_sign(rng) * magnitude;
}

double sample_truncated_laplace(PhiloxStream& rng, double scale, double bound) {
    // P(|x| <= t) = (1 - e^(-t/scale)) / (1 - e^(-bound/scale)) on [0, bound]; inverted with
    // expm1/log1p, which stay accurate when bound / scale is small. The clamp absorbs rounding.
    const double u = rng.uniform();
    const double magnitude = std::min(bound, -scale * std::log1p(u * std::expm1(-bound / scale)));
    return random_sign(rng) * magnitude;
}

double sample_generalized_normal(PhiloxStream& rng, double scale, double shape) {
    // G^(1/shape) with G ~ Gamma(1/shape) is computed through log G: for shape > 1 the Gamma
    // boost's U^shape would underflow for small U, for shape < 1 G^(1/shape) grows fast.
    const double a = 1.0 / shape;
    double log_g;
    if (a < 1.0) log_g = std::log(sample_gamma(rng, a + 1.0)) + std::log(rng.uniform()) / a;
    else log_g = std::log(sample_gamma(rng, a));
    const double magnitude = scale * std::exp(log_g / shape);
    return random_sign(rng) * magnitude;
}

double CoordinateNoise::draw(PhiloxStream& rng) const {
    switch (law) {
        case NoiseLaw::Normal: return scale * rng.normal();
        case NoiseLaw::Laplace: return sample_laplace(rng, scale);
        case NoiseLaw::TruncatedLaplace: return sample_truncated_laplace(rng, scale, bound);
        case NoiseLaw::GeneralizedNormal: return sample_generalized_normal(rng, scale, shape);
    }
    return 0.0;  // unreachable: every law is handled above
}

}  // namespace idlab::core
