// L2 logistic regression (sklearn's objective, Newton's method) at its known optimum: a
// symmetric one-dimensional case solved by bisection, the optimality conditions on random data,
// separable data, and the errors it documents.
#include "logistic_regression.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <random>
#include <stdexcept>
#include <vector>

using idlab::probes::accuracy;
using idlab::probes::fit_logistic_regression;
using idlab::probes::LogisticModel;

namespace {

double sigmoid(double v) { return 1.0 / (1.0 + std::exp(-v)); }

// m rows at x = shift + 1 with y = 1 and m rows at x = shift - 1 with y = 0. With the intercept
// unpenalised, the optimum is b = -shift * w, where w solves w / C = 2 m (1 - sigmoid(w)).
double symmetric_weight(int m, double C) {
    double lo = 0.0, hi = 2.0 * m * C;
    for (int i = 0; i < 200; ++i) {
        const double mid = 0.5 * (lo + hi);
        if (mid / C - 2.0 * m * (1.0 - sigmoid(mid)) > 0.0) hi = mid;
        else lo = mid;
    }
    return 0.5 * (lo + hi);
}

}  // namespace

TEST_CASE("logistic regression reaches the optimum of a symmetric one-dimensional problem",
          "[core-probes][logistic]") {
    const int m = 6;
    for (double C : {0.05, 1.0, 20.0}) {
        for (double shift : {0.0, 3.0}) {
            std::vector<double> x;
            std::vector<uint8_t> y;
            for (int i = 0; i < m; ++i) {
                x.push_back(shift + 1.0);
                y.push_back(1);
                x.push_back(shift - 1.0);
                y.push_back(0);
            }
            const LogisticModel model = fit_logistic_regression(x, y, 2 * m, 1, C);
            const double w = symmetric_weight(m, C);
            INFO("C = " << C << ", shift = " << shift);
            CHECK(model.weights[0] == Approx(w).epsilon(1e-8));
            // The intercept is not penalised: a shifted input moves it and leaves w alone.
            CHECK(model.intercept == Approx(-shift * w).margin(1e-7));
            CHECK(accuracy(model, x, y, 2 * m) == 1.0);
        }
    }
}

TEST_CASE("logistic regression satisfies the optimality conditions on random data", "[core-probes][logistic]") {
    std::mt19937_64 gen(11);
    std::normal_distribution<double> normal;
    std::uniform_real_distribution<double> uniform;
    const int64_t n = 300, p = 6;
    const double C = 0.7;
    std::vector<double> x(static_cast<size_t>(n * p));
    for (double& v : x) v = normal(gen);
    const std::vector<double> truth = {1.5, -2.0, 0.5, 0.0, 0.8, -0.3};
    std::vector<uint8_t> y(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) {
        double z = 0.4;
        for (int64_t j = 0; j < p; ++j) z += truth[j] * x[i * p + j];
        y[i] = uniform(gen) < sigmoid(z) ? 1 : 0;
    }
    const LogisticModel model = fit_logistic_regression(x, y, n, p, C);
    CHECK(model.iterations >= 3);
    CHECK(model.iterations < 30);

    // Gradient of sum_i log-loss + ||w||^2 / (2C), computed here independently.
    std::vector<double> grad(static_cast<size_t>(p), 0.0);
    double grad_intercept = 0.0;
    for (int64_t i = 0; i < n; ++i) {
        double z = model.intercept;
        for (int64_t j = 0; j < p; ++j) z += model.weights[j] * x[i * p + j];
        const double r = sigmoid(z) - y[i];
        for (int64_t j = 0; j < p; ++j) grad[j] += r * x[i * p + j];
        grad_intercept += r;
    }
    for (int64_t j = 0; j < p; ++j) CHECK(std::fabs(grad[j] + model.weights[j] / C) < 1e-6);
    CHECK(std::fabs(grad_intercept) < 1e-6);
    // And the fit found the signal.
    CHECK(model.weights[0] > 0.5);
    CHECK(model.weights[1] < -0.5);
    CHECK(accuracy(model, x, y, n) > 0.7);
}

TEST_CASE("logistic regression separates separable data with finite weights", "[core-probes][logistic]") {
    std::mt19937_64 gen(5);
    std::uniform_real_distribution<double> uniform(-1.0, 1.0);
    const int64_t n = 200, p = 3;
    std::vector<double> x(static_cast<size_t>(n * p));
    std::vector<uint8_t> y(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) {
        for (int64_t j = 0; j < p; ++j) x[i * p + j] = uniform(gen);
        // A margin of 0.2 around the plane x0 + x1 = 0.
        const double s = x[i * p] + x[i * p + 1];
        y[i] = s > 0.0 ? 1 : 0;
        x[i * p] += s > 0.0 ? 0.1 : -0.1;
        x[i * p + 1] += s > 0.0 ? 0.1 : -0.1;
    }
    const LogisticModel loose = fit_logistic_regression(x, y, n, p, 100.0);
    const LogisticModel tight = fit_logistic_regression(x, y, n, p, 0.01);
    CHECK(accuracy(loose, x, y, n) == 1.0);
    CHECK(std::isfinite(loose.weights[0]));
    // A stronger penalty gives smaller weights.
    double loose_norm = 0.0, tight_norm = 0.0;
    for (int64_t j = 0; j < p; ++j) {
        loose_norm += loose.weights[j] * loose.weights[j];
        tight_norm += tight.weights[j] * tight.weights[j];
    }
    CHECK(tight_norm < loose_norm);
}

TEST_CASE("logistic regression rejects what it cannot fit", "[core-probes][logistic]") {
    const std::vector<double> x = {0.0, 1.0, 2.0};
    CHECK_THROWS_AS(fit_logistic_regression(x, {0, 1, 2}, 3, 1, 1.0), std::invalid_argument);
    CHECK_THROWS_AS(fit_logistic_regression(x, {0, 1, 1}, 3, 1, 0.0), std::invalid_argument);
    CHECK_THROWS_AS(fit_logistic_regression(x, {0, 1}, 3, 1, 1.0), std::invalid_argument);
    CHECK_THROWS_AS(fit_logistic_regression({}, {}, 0, 1, 1.0), std::invalid_argument);
}
