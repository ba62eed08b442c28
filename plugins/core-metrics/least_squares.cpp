#include "least_squares.hpp"

#include <lapacke.h>

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>

namespace idlab::core {

void LinearFit::predict(const double* x, int64_t n, double* yhat) const {
    for (int64_t r = 0; r < n; ++r) {
        for (int64_t j = 0; j < outputs; ++j) {
            double s = intercept[static_cast<size_t>(j)];
            for (int64_t k = 0; k < inputs; ++k) s += x[r * inputs + k] * coef[static_cast<size_t>(k * outputs + j)];
            yhat[r * outputs + j] = s;
        }
    }
}

LinearFit fit_least_squares(const double* x, const double* y, int64_t n, int64_t p, int64_t d,
                            bool intercept) {
    if (n < 1 || p < 1 || d < 1) throw std::invalid_argument("least squares: empty problem");
    std::vector<double> xmean(static_cast<size_t>(p), 0.0), ymean(static_cast<size_t>(d), 0.0);
    if (intercept) {
        for (int64_t r = 0; r < n; ++r) {
            for (int64_t k = 0; k < p; ++k) xmean[k] += x[r * p + k];
            for (int64_t j = 0; j < d; ++j) ymean[j] += y[r * d + j];
        }
        for (double& m : xmean) m /= static_cast<double>(n);
        for (double& m : ymean) m /= static_cast<double>(n);
    }

    // dgelsd overwrites A with garbage and B with the solution; B needs max(n, p) rows.
    const int64_t brows = std::max(n, p);
    std::vector<double> a(static_cast<size_t>(n * p));
    std::vector<double> b(static_cast<size_t>(brows * d), 0.0);
    for (int64_t r = 0; r < n; ++r) {
        for (int64_t k = 0; k < p; ++k) a[r * p + k] = x[r * p + k] - xmean[k];
        for (int64_t j = 0; j < d; ++j) b[r * d + j] = y[r * d + j] - ymean[j];
    }
    std::vector<double> s(static_cast<size_t>(std::min(n, p)));
    const double rcond = std::numeric_limits<double>::epsilon() * static_cast<double>(brows);
    lapack_int rank = 0;
    const lapack_int info = LAPACKE_dgelsd(LAPACK_ROW_MAJOR, static_cast<lapack_int>(n),
                                           static_cast<lapack_int>(p), static_cast<lapack_int>(d),
                                           a.data(), static_cast<lapack_int>(p), b.data(),
                                           static_cast<lapack_int>(d), s.data(), rcond, &rank);
    if (info != 0) throw std::runtime_error("least squares (dgelsd) failed with info " + std::to_string(info));

    LinearFit fit;
    fit.inputs = p;
    fit.outputs = d;
    fit.rank = rank;
    fit.coef.assign(b.begin(), b.begin() + p * d);
    fit.intercept = ymean;
    if (intercept) {
        // b = mean(y) - mean(x) coef, so the centred fit predicts raw inputs.
        for (int64_t j = 0; j < d; ++j)
            for (int64_t k = 0; k < p; ++k) fit.intercept[j] -= xmean[k] * fit.coef[k * d + j];
    }
    return fit;
}

double r2_score(const double* y, const double* yhat, int64_t n, int64_t d) {
    if (n < 1 || d < 1) throw std::invalid_argument("r2_score: empty input");
    double total = 0.0;
    for (int64_t j = 0; j < d; ++j) {
        double mean = 0.0;
        for (int64_t r = 0; r < n; ++r) mean += y[r * d + j];
        mean /= static_cast<double>(n);
        double ss_res = 0.0, ss_tot = 0.0;
        for (int64_t r = 0; r < n; ++r) {
            const double e = y[r * d + j] - yhat[r * d + j];
            const double c = y[r * d + j] - mean;
            ss_res += e * e;
            ss_tot += c * c;
        }
        if (ss_tot > 0.0) total += 1.0 - ss_res / ss_tot;
        else total += ss_res == 0.0 ? 1.0 : 0.0;
    }
    return total / static_cast<double>(d);
}

}  // namespace idlab::core
