#include "mixing_mlp.hpp"

#include "condition_number.hpp"
#include "number_text.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace idlab::core {

MixingMlp::MixingMlp(int64_t dim, int64_t layers, int64_t trials, double slope, PhiloxStream rng)
    : dim_(dim), slope_(slope) {
    if (dim < 1) throw std::invalid_argument("mixing: dimension must be at least 1");
    if (layers < 0) throw std::invalid_argument("mixing: layers must be >= 0");
    if (trials < 1) throw std::invalid_argument("mixing: trials must be >= 1");
    if (layers == 0) return;

    ConditionNumber cond(dim);
    std::vector<double> a(static_cast<size_t>(dim * dim));
    threshold_ = std::numeric_limits<double>::infinity();
    for (int64_t t = 0; t < trials; ++t) {
        draw_matrix(rng, a);
        threshold_ = std::min(threshold_, cond(a.data()));
    }
    // Rejection: about `trials` draws per layer on average, like the reference.
    for (int64_t l = 0; l < layers; ++l) {
        double c;
        do {
            draw_matrix(rng, a);
            c = cond(a.data());
        } while (!(c <= threshold_));
        matrices_.push_back(a);
        conditions_.push_back(c);
    }
}

void MixingMlp::draw_matrix(PhiloxStream& rng, std::vector<double>& a) const {
    for (double& v : a) v = 2.0 * rng.uniform() - 1.0;
    for (int64_t col = 0; col < dim_; ++col) {
        double norm2 = 0.0;
        for (int64_t row = 0; row < dim_; ++row) norm2 += a[row * dim_ + col] * a[row * dim_ + col];
        const double inv = 1.0 / std::sqrt(norm2);  // norm2 > 0: entries are never exactly 0
        for (int64_t row = 0; row < dim_; ++row) a[row * dim_ + col] *= inv;
    }
}

void MixingMlp::apply(const double* z, double* x, double* scratch) const {
    const int64_t layers = this->layers();
    if (layers == 0) {
        std::copy(z, z + dim_, x);
        return;
    }
    // Alternate between x and scratch so that the last layer writes into x.
    const double* in = z;
    for (int64_t l = 0; l < layers; ++l) {
        double* out = ((layers - 1 - l) % 2 == 0) ? x : scratch;
        const double* a = matrices_[static_cast<size_t>(l)].data();
        const bool last = l == layers - 1;
        for (int64_t r = 0; r < dim_; ++r) {
            double s = 0.0;
            for (int64_t k = 0; k < dim_; ++k) s += a[r * dim_ + k] * in[k];
            out[r] = (last || s >= 0.0) ? s : slope_ * s;
        }
        in = out;
    }
}

std::vector<std::string> MixingMlp::conditioning_report() const {
    std::vector<std::string> lines;
    if (layers() == 0) return lines;
    lines.push_back("condition number threshold: " + format_double(threshold_));
    for (int64_t l = 0; l < layers(); ++l)
        lines.push_back("layer " + std::to_string(l + 1) + "/" + std::to_string(layers()) +
                        ", condition number: " + format_double(condition(l)));
    return lines;
}

}  // namespace idlab::core
