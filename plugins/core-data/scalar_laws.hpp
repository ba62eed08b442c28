// Scalar random laws the data processes build on, each reading its randomness from a
// PhiloxStream (so a draw depends only on that stream): Gamma, symmetric Beta, Laplace,
// truncated Laplace and the generalized normal, plus CoordinateNoise, which picks one of them
// as the per-coordinate noise of a latent.
#pragma once

#include <idlab/philox.hpp>

namespace idlab::core {

// Gamma(shape, rate 1), shape > 0 (Marsaglia-Tsang 2000; shape < 1 through the boost
// Gamma(a) = Gamma(a + 1) * U^(1/a)).
double sample_gamma(PhiloxStream& rng, double shape);

// Beta(a, a) as X / (X + Y) with X, Y ~ Gamma(a).
double sample_beta_symmetric(PhiloxStream& rng, double a);

// Laplace(0, scale): density exp(-|x| / scale) / (2 scale).
double sample_laplace(PhiloxStream& rng, double scale);

// Laplace(0, scale) restricted to [-bound, bound] (density renormalised there), drawn exactly
// by inverting the CDF of |x|, so no draw is rejected.
double sample_truncated_laplace(PhiloxStream& rng, double scale, double bound);

// Generalized normal: density proportional to exp(-(|x| / scale)^shape); shape 1 is
// Laplace(0, scale), shape 2 is Normal(0, scale^2 / 2). Drawn as |x| = scale * G^(1/shape),
// G ~ Gamma(1/shape, 1), with a random sign.
double sample_generalized_normal(PhiloxStream& rng, double scale, double shape);

enum class NoiseLaw { Normal, Laplace, TruncatedLaplace, GeneralizedNormal };

// Independent noise added to each coordinate of a latent.
struct CoordinateNoise {
    NoiseLaw law = NoiseLaw::Normal;
    double scale = 1.0;  // std (Normal), b (Laplace, truncated Laplace), alpha (generalized normal)
    double shape = 2.0;  // generalized normal only
    double bound = 2.0;  // truncated Laplace only: the noise stays in [-bound, bound]

    double draw(PhiloxStream& rng) const;
};

}  // namespace idlab::core
