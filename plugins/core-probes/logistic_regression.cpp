#include "logistic_regression.hpp"

#include <cblas.h>
#include <lapacke.h>

#include <cmath>
#include <stdexcept>
#include <string>

namespace idlab::probes {

namespace {

constexpr int kMaxNewtonSteps = 100;
constexpr double kRelativeTolerance = 1e-12;
constexpr double kArmijo = 1e-4;

// log(1 + exp(v)) without overflow.
double softplus(double v) { return v > 0.0 ? v + std::log1p(std::exp(-v)) : std::log1p(std::exp(v)); }

double sigmoid(double v) {
    if (v >= 0.0) return 1.0 / (1.0 + std::exp(-v));
    const double e = std::exp(v);
    return e / (1.0 + e);
}

// The parameters theta = (w [p], b) and the design A = [x, 1] [n, p + 1] share one layout, so
// the intercept is simply the last coordinate.
class Problem {
public:
    Problem(const std::vector<double>& x, const std::vector<uint8_t>& y, int64_t n, int64_t p, double C)
        : y_(y), n_(n), p_(p), k_(p + 1), inverse_c_(1.0 / C), a_(static_cast<size_t>(n * (p + 1))),
          margin_(static_cast<size_t>(n)) {
        for (int64_t i = 0; i < n; ++i) {
            for (int64_t j = 0; j < p; ++j) a_[i * k_ + j] = x[i * p + j];
            a_[i * k_ + p] = 1.0;
        }
    }

    int64_t size() const { return k_; }

    // The objective at theta; keeps the linear scores z = A theta for gradient() and hessian().
    double objective(const std::vector<double>& theta) {
        cblas_dgemv(CblasRowMajor, CblasNoTrans, static_cast<int>(n_), static_cast<int>(k_), 1.0,
                    a_.data(), static_cast<int>(k_), theta.data(), 1, 0.0, margin_.data(), 1);
        double f = 0.0;
        for (int64_t i = 0; i < n_; ++i) f += softplus(y_[i] ? -margin_[i] : margin_[i]);
        return f + 0.5 * inverse_c_ * penalised_square(theta);
    }

    // Gradient at the theta of the last objective() call.
    void gradient(const std::vector<double>& theta, std::vector<double>& g) {
        residual_.resize(static_cast<size_t>(n_));
        for (int64_t i = 0; i < n_; ++i) residual_[i] = sigmoid(margin_[i]) - y_[i];
        g.assign(static_cast<size_t>(k_), 0.0);
        cblas_dgemv(CblasRowMajor, CblasTrans, static_cast<int>(n_), static_cast<int>(k_), 1.0, a_.data(),
                    static_cast<int>(k_), residual_.data(), 1, 0.0, g.data(), 1);
        for (int64_t j = 0; j < p_; ++j) g[j] += inverse_c_ * theta[j];
    }

    // Upper triangle of the Hessian A^T D A + diag(1/C, ..., 1/C, 0) at the last objective()
    // call, D = sigma (1 - sigma).
    void hessian(std::vector<double>& h) {
        scaled_.resize(a_.size());
        for (int64_t i = 0; i < n_; ++i) {
            const double s = sigmoid(margin_[i]);
            const double root = std::sqrt(s * (1.0 - s));
            for (int64_t j = 0; j < k_; ++j) scaled_[i * k_ + j] = root * a_[i * k_ + j];
        }
        h.assign(static_cast<size_t>(k_ * k_), 0.0);
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, static_cast<int>(k_), static_cast<int>(n_), 1.0,
                    scaled_.data(), static_cast<int>(k_), 0.0, h.data(), static_cast<int>(k_));
        for (int64_t j = 0; j < p_; ++j) h[j * k_ + j] += inverse_c_;
        // The intercept is unpenalised; when every row is classified with near certainty its
        // curvature underflows, so keep the matrix positive definite.
        h[p_ * k_ + p_] += 1e-12 * (1.0 + h[p_ * k_ + p_]);
    }

private:
    double penalised_square(const std::vector<double>& theta) const {
        double s = 0.0;
        for (int64_t j = 0; j < p_; ++j) s += theta[j] * theta[j];
        return s;
    }

    const std::vector<uint8_t>& y_;
    int64_t n_, p_, k_;
    double inverse_c_;
    std::vector<double> a_, margin_, residual_, scaled_;
};

}  // namespace

int LogisticModel::predict(const double* x) const {
    double z = intercept;
    for (size_t j = 0; j < weights.size(); ++j) z += weights[j] * x[j];
    return z > 0.0 ? 1 : 0;
}

LogisticModel fit_logistic_regression(const std::vector<double>& x, const std::vector<uint8_t>& y,
                                      int64_t n, int64_t p, double C) {
    if (n < 1 || p < 1) throw std::invalid_argument("logistic regression: empty problem");
    if (static_cast<int64_t>(x.size()) != n * p || static_cast<int64_t>(y.size()) != n)
        throw std::invalid_argument("logistic regression: x or y has the wrong size");
    if (!(C > 0.0)) throw std::invalid_argument("logistic regression: C must be positive");
    for (uint8_t v : y)
        if (v > 1) throw std::invalid_argument("logistic regression: labels must be 0 or 1");

    Problem problem(x, y, n, p, C);
    const int64_t k = problem.size();
    std::vector<double> theta(static_cast<size_t>(k), 0.0), trial(theta), g, h, step;
    auto model_at = [&](int iterations) {
        LogisticModel model;
        model.weights.assign(theta.begin(), theta.begin() + p);
        model.intercept = theta[static_cast<size_t>(p)];
        model.iterations = iterations;
        return model;
    };
    double f = problem.objective(theta);
    for (int iteration = 0; iteration < kMaxNewtonSteps; ++iteration) {
        problem.gradient(theta, g);
        problem.hessian(h);
        step = g;
        for (double& v : step) v = -v;
        const lapack_int info = LAPACKE_dposv(LAPACK_ROW_MAJOR, 'U', static_cast<lapack_int>(k), 1, h.data(),
                                              static_cast<lapack_int>(k), step.data(), 1);
        if (info != 0)
            throw std::runtime_error("logistic regression: the Newton system is not positive definite (dposv info " +
                                     std::to_string(info) + ")");
        // The Newton decrement: -g.step = step^T H step, twice the predicted decrease.
        double decrement = 0.0;
        for (int64_t j = 0; j < k; ++j) decrement -= g[j] * step[j];
        if (0.5 * decrement <= kRelativeTolerance * (1.0 + std::fabs(f))) {
            // Within reach of the minimum: this last full step squares the remaining error.
            for (int64_t j = 0; j < k; ++j) theta[j] += step[j];
            return model_at(iteration + 1);
        }
        // Backtracking: halve the step until the Armijo condition holds.
        double t = 1.0;
        double f_trial = 0.0;
        for (;;) {
            for (int64_t j = 0; j < k; ++j) trial[j] = theta[j] + t * step[j];
            f_trial = problem.objective(trial);
            if (f_trial <= f - kArmijo * t * decrement) break;
            t *= 0.5;
            // No decrease is representable any more: theta is the minimum to machine precision.
            if (t < 1e-12) return model_at(iteration);
        }
        theta.swap(trial);
        f = f_trial;
    }
    throw std::runtime_error("logistic regression: Newton's method did not converge in " +
                             std::to_string(kMaxNewtonSteps) + " steps");
}

double accuracy(const LogisticModel& model, const std::vector<double>& x, const std::vector<uint8_t>& y,
                int64_t n) {
    if (n < 1) throw std::invalid_argument("accuracy: no rows");
    const int64_t p = static_cast<int64_t>(model.weights.size());
    int64_t correct = 0;
    for (int64_t i = 0; i < n; ++i)
        if (model.predict(x.data() + i * p) == y[i]) ++correct;
    return static_cast<double>(correct) / static_cast<double>(n);
}

}  // namespace idlab::probes
