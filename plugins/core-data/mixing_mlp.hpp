// The frozen mixing g of the cluster DGP: L square, bias-free linear layers with a leaky ReLU
// between them (none after the last), g(z) = A_L s(... s(A_1 z)). Each A_l has i.i.d. U(-1, 1)
// entries with every column scaled to unit L2 norm, and is redrawn until its condition number
// is at most the threshold: the smallest condition number among `trials` such random matrices.
// Square, well-conditioned layers and a strictly monotone activation make g injective.
#pragma once

#include <idlab/philox.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace idlab::core {

class MixingMlp {
public:
    // Draws everything from `rng` (creation-time randomness). layers == 0 gives g(z) = z
    // without computing a threshold.
    MixingMlp(int64_t dim, int64_t layers, int64_t trials, double slope, PhiloxStream rng);

    int64_t dim() const { return dim_; }
    int64_t layers() const { return static_cast<int64_t>(matrices_.size()); }
    double slope() const { return slope_; }
    double threshold() const { return threshold_; }           // 0 when layers == 0
    double condition(int64_t layer) const { return conditions_[static_cast<size_t>(layer)]; }
    // Row-major dim x dim matrix of a layer, acting as y = A x.
    const double* matrix(int64_t layer) const { return matrices_[static_cast<size_t>(layer)].data(); }

    // The lines the reference code prints: the threshold, then each layer's condition number
    // ("layer 2/4, condition number: 1.08"); empty when layers == 0.
    std::vector<std::string> conditioning_report() const;

    // x = g(z); z, x and scratch hold dim values each and must not overlap.
    void apply(const double* z, double* x, double* scratch) const;

private:
    void draw_matrix(PhiloxStream& rng, std::vector<double>& a) const;

    int64_t dim_;
    double slope_;
    double threshold_ = 0.0;
    std::vector<std::vector<double>> matrices_;
    std::vector<double> conditions_;
};

}  // namespace idlab::core
