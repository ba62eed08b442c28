// Test helper: moments of a projected noisy direction by numerical integration.
//
// Let u = (e + n) / |e + n| with e a unit vector and n noise whose component along e, n1, has
// density `axial` and whose component orthogonal to e has length rho with density `radial`
// (rho >= 0), n1 and rho independent. This is the law of the "e + noise, projected" samplers:
// in d = 2 with e = e1 and i.i.d. coordinates, radial(rho) = 2 f(rho); for isotropic Normal
// noise in any d, rho is a scaled chi with d - 1 degrees of freedom.
//
// In polar coordinates (1 + n1, rho) = r (cos phi, sin phi), phi in [0, pi], the direction
// depends on phi alone, with density p(phi) = int_0^R axial(r cos phi - 1) radial(r sin phi) r dr.
// Both integrals use composite Simpson rules; the r-range is split where n1 = 0 (the kink of a
// Laplace density). The total mass (1 up to quadrature error) is returned as a check.
#pragma once

#include <cmath>
#include <functional>

namespace idlab::test {

struct DirectionMoments {
    double mass = 0.0;       // integral of p(phi): 1 when the quadrature is accurate
    double mean_cos = 0.0;   // E[e . u]
    double mean_cos2 = 0.0;  // E[(e . u)^2]
};

namespace detail {
// Composite Simpson rule of f on [a, b] with `steps` (even) intervals.
inline double simpson(const std::function<double(double)>& f, double a, double b, int steps) {
    if (b <= a) return 0.0;
    const double h = (b - a) / steps;
    double sum = f(a) + f(b);
    for (int i = 1; i < steps; ++i) sum += f(a + i * h) * (i % 2 ? 4.0 : 2.0);
    return sum * h / 3.0;
}
}  // namespace detail

// max_radius bounds |e + n|: choose it so that the noise beyond it has negligible mass.
inline DirectionMoments projected_direction_moments(const std::function<double(double)>& axial,
                                                    const std::function<double(double)>& radial,
                                                    double max_radius, int angle_steps = 400,
                                                    int radius_steps = 800) {
    const double pi = 3.14159265358979323846;
    auto angular_density = [&](double phi) {
        const double c = std::cos(phi), s = std::sin(phi);
        auto integrand = [&](double r) { return axial(r * c - 1.0) * radial(r * s) * r; };
        const double kink = c > 1.0 / max_radius ? 1.0 / c : max_radius;
        const double share = kink / max_radius;  // intervals in proportion to the lengths
        const int first = 2 * static_cast<int>(0.5 * share * radius_steps + 1);
        const int second = 2 * static_cast<int>(0.5 * (1.0 - share) * radius_steps + 1);
        return detail::simpson(integrand, 0.0, kink, first) +
               detail::simpson(integrand, kink, max_radius, second);
    };
    // One Simpson rule over phi for the three moments, evaluating p(phi) once per node.
    DirectionMoments m;
    const double h = pi / angle_steps;
    for (int i = 0; i <= angle_steps; ++i) {
        const double phi = i * h;
        const double weight = (i == 0 || i == angle_steps ? 1.0 : (i % 2 ? 4.0 : 2.0)) * h / 3.0;
        const double p = angular_density(phi) * weight;
        const double c = std::cos(phi);
        m.mass += p;
        m.mean_cos += c * p;
        m.mean_cos2 += c * c * p;
    }
    return m;
}

}  // namespace idlab::test
