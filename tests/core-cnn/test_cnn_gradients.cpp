// core.cnn backward() against finite differences of its own training-mode forward(), for
// every parameter tensor and the input, on tiny networks (8x8 or 8x6 images, widths [4, 8],
// one block per stage) with and without batch norm, with both stems and the max pool, with and
// without the final Linear layer.
//
// The loss is L = sum(features * R) with a fixed random R, so dL/dfeatures = R. ReLU and max
// pooling make the network piecewise smooth: a difference reaching into another piece (the
// implementation's activation_pattern() changes) measures no derivative. So each element takes
// the largest step of 1e-2, 3e-3, ..., 1e-4 with a usable stencil: the central difference when
// both points stay on the piece of the unperturbed forward, else a one-sided three-point
// difference on the side without a kink (both second-order accurate); elements without one are
// left out. Large steps keep float32 rounding of the loss small relative to the difference;
// batch norm's curvature stays negligible at 1e-2. Offsets are those actually taken after
// float rounding. Gradients are compared per tensor as |numeric - analytic| / |analytic| over
// the gradient vector.
#include "cnn_harness.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

using namespace idlab::test;

namespace {

constexpr double kSteps[] = {1e-2, 3e-3, 1e-3, 3e-4, 1e-4};
// Measured: at most 7e-3, on small early-layer tensors that need the small steps, where float32
// rounding of the loss dominates; a wrong term gives > 0.05.
constexpr double kTolerance = 1.5e-2;

struct TensorCheck {
    std::string name;
    std::vector<double> analytic, numeric;  // elements with a difference on one piece
    size_t skipped = 0;                     // elements with a kink near them on both sides

    static double norm(const std::vector<double>& v) {
        double s = 0.0;
        for (double x : v) s += x * x;
        return std::sqrt(s);
    }
    double relative_error() const {
        std::vector<double> diff(analytic.size());
        for (size_t i = 0; i < diff.size(); ++i) diff[i] = numeric[i] - analytic[i];
        return norm(diff) / std::max(norm(analytic), 1e-30);
    }
};

// f'(0) from f(0), f(a) and f(b) with a and b on the same side of 0: the derivative at 0 of
// the parabola through the three points, second-order accurate like a central difference.
template <class Point>
double one_sided_derivative(double f0, const Point& p, const Point& q) {
    const double a = p.offset, b = q.offset;
    return -(a + b) / (a * b) * f0 + b / (a * (b - a)) * p.loss - a / (b * (b - a)) * q.loss;
}

double weighted_sum(const std::vector<float>& f, const std::vector<float>& r) {
    double s = 0.0;
    for (size_t i = 0; i < f.size(); ++i) s += static_cast<double>(f[i]) * r[i];
    return s;
}

// Analytic and numeric gradients of every parameter tensor and of x.
std::vector<TensorCheck> gradient_checks(const CnnSetup& setup, int64_t batch) {
    auto cnn = make_cnn(setup);
    const int64_t in_dim = setup.input_dim();
    std::vector<float> x = normal_values(static_cast<size_t>(batch * in_dim), 101);
    const std::vector<float> r = normal_values(static_cast<size_t>(batch * setup.out_dim), 202);

    // A larger batch first, so that the buffers kept for backward are reused at a smaller size.
    run_forward(*cnn, normal_values(static_cast<size_t>(3 * batch * in_dim), 303), 3 * batch, true);

    OwnedTensor<float> xt = tensor_from(x, batch, in_dim);
    OwnedTensor<float> ft({batch, setup.out_dim});
    OwnedTensor<float> rt = tensor_from(r, batch, setup.out_dim);
    OwnedTensor<float> dxt({batch, in_dim});
    DLTensor xv = xt.view(), fv = ft.view(), rv = rt.view(), dxv = dxt.view();
    cnn->forward(cnn_exec_ctx(true), xv, fv);
    const std::vector<int32_t> pattern = cnn->activation_pattern();
    cnn->backward(cnn_exec_ctx(true), rv, &dxv);

    auto loss = [&] { return weighted_sum(run_forward(*cnn, x, batch, true), r); };
    const double base_loss = loss();
    // The loss with `value` set to `at`, and whether that forward left the unperturbed piece.
    struct Point {
        double offset, loss;
        bool crosses;
    };
    auto evaluate = [&](float& value, float original, double offset) {
        const float at = static_cast<float>(original + offset);
        value = at;
        Point p{static_cast<double>(at) - static_cast<double>(original), loss(), cnn->activation_pattern() != pattern};
        value = original;
        return p;
    };
    auto differentiate = [&](float& value, double analytic, TensorCheck& check) {
        const float original = value;
        for (double step : kSteps) {
            const Point up = evaluate(value, original, step);
            const Point down = evaluate(value, original, -step);
            double numeric;
            if (!up.crosses && !down.crosses) {
                numeric = (up.loss - down.loss) / (up.offset - down.offset);
            } else if (up.crosses != down.crosses) {
                // A kink on one side only: a second point on the other side.
                const Point near = up.crosses ? down : up;
                const Point far = evaluate(value, original, up.crosses ? -2 * step : 2 * step);
                if (far.crosses) continue;
                numeric = one_sided_derivative(base_loss, near, far);
            } else {
                continue;
            }
            check.analytic.push_back(analytic);
            check.numeric.push_back(numeric);
            return;
        }
        ++check.skipped;
    };

    std::vector<TensorCheck> checks;
    for (uint32_t p = 0; p < cnn->parameter_count(); ++p) {
        const idlab_param_view_t& view = cnn->parameter(p);
        float* value = static_cast<float*>(view.value.data);
        const float* grad = static_cast<const float*>(view.grad.data);
        TensorCheck c;
        c.name = view.name;
        for (int64_t i = 0; i < element_count(view.value); ++i) differentiate(value[i], grad[i], c);
        checks.push_back(c);
    }
    TensorCheck dx;
    dx.name = "x";
    for (size_t i = 0; i < x.size(); ++i) differentiate(x[i], dxt[i], dx);
    checks.push_back(dx);
    return checks;
}

// Parameter tensors of the tiny networks: stem, block 1 (identity shortcut), block 2
// (downsample), fc when out_dim differs from the last width; with batch norm 2 per
// convolution (weight; bn weight and bias) + 1, without 2 (weight, bias).
size_t expected_tensor_count(const CnnSetup& setup) {
    const size_t convolutions = 1 + 2 + 3;
    const size_t per_conv = setup.batch_norm ? 3 : 2;
    const size_t fc = setup.out_dim != setup.widths.back() ? 2 : 0;
    return convolutions * per_conv + fc + 1;  // + x
}

void require_gradients_match(const CnnSetup& setup, int64_t batch) {
    const std::vector<TensorCheck> checks = gradient_checks(setup, batch);
    REQUIRE(checks.size() == expected_tensor_count(setup));
    size_t compared = 0, skipped = 0;
    for (const TensorCheck& c : checks) {
        INFO("tensor " << c.name << ": " << c.analytic.size() << " compared, " << c.skipped
                       << " left out; relative error " << c.relative_error()
                       << ", |analytic| " << TensorCheck::norm(c.analytic) << ", |numeric| "
                       << TensorCheck::norm(c.numeric));
        compared += c.analytic.size();
        skipped += c.skipped;
        CHECK(c.analytic.size() >= 3 * c.skipped);
        CHECK(TensorCheck::norm(c.analytic) > 1e-3);
        CHECK(c.relative_error() < kTolerance);
    }
    INFO(compared << " elements compared, " << skipped << " left out");
    CHECK(skipped * 50 < compared);
}

}  // namespace

TEST_CASE("core.cnn gradients match finite differences", "[core-cnn][gradient]") {
    // 3x3 stride-1 stem, 8x8 images, a Linear head (out_dim 6 != 8). With 5 samples the
    // first stage's convolutions run as GEMMs over a group of 4 samples and one of 1.
    CnnSetup setup;
    setup.channels = GENERATE(1, 3);
    setup.batch_norm = GENERATE(true, false);
    INFO("channels = " << setup.channels << ", batch_norm = " << setup.batch_norm);
    require_gradients_match(setup, 5);
}

TEST_CASE("core.cnn gradients match finite differences with the 7x7 stem and max pooling",
          "[core-cnn][gradient]") {
    // 8x6 images -> stem 4x3 -> max pool 2x2 -> stage 2 1x1; out_dim = 8: no Linear head.
    CnnSetup setup;
    setup.channels = 3;
    setup.height = 8;
    setup.width = 6;
    setup.stem_kernel = 7;
    setup.max_pool = true;
    setup.out_dim = 8;
    setup.batch_norm = GENERATE(true, false);
    INFO("batch_norm = " << setup.batch_norm);
    require_gradients_match(setup, 5);
}

TEST_CASE("core.cnn backward overwrites the gradients and dx is optional", "[core-cnn][gradient]") {
    CnnSetup setup;
    setup.channels = 3;
    auto cnn = make_cnn(setup);
    const int64_t batch = 3;
    OwnedTensor<float> x = tensor_from(normal_values(batch * setup.input_dim(), 7), batch, setup.input_dim());
    OwnedTensor<float> f({batch, setup.out_dim});
    OwnedTensor<float> r = tensor_from(normal_values(batch * setup.out_dim, 8), batch, setup.out_dim);
    OwnedTensor<float> dx1({batch, setup.input_dim()}), dx2({batch, setup.input_dim()});
    DLTensor xv = x.view(), fv = f.view(), rv = r.view(), dx1v = dx1.view(), dx2v = dx2.view();
    cnn->forward(cnn_exec_ctx(true), xv, fv);
    cnn->backward(cnn_exec_ctx(true), rv, &dx1v);
    std::vector<std::vector<float>> first;
    for (uint32_t p = 0; p < cnn->parameter_count(); ++p) {
        const float* g = static_cast<const float*>(cnn->parameter(p).grad.data);
        first.emplace_back(g, g + element_count(cnn->parameter(p).grad));
    }
    // Again without dx, then again with it: the same values, not sums.
    cnn->backward(cnn_exec_ctx(true), rv, nullptr);
    cnn->backward(cnn_exec_ctx(true), rv, &dx2v);
    for (uint32_t p = 0; p < cnn->parameter_count(); ++p) {
        INFO(cnn->parameter(p).name);
        const float* g = static_cast<const float*>(cnn->parameter(p).grad.data);
        CHECK(std::vector<float>(g, g + first[p].size()) == first[p]);
    }
    CHECK(std::vector<float>(dx1.data(), dx1.data() + dx1.size()) ==
          std::vector<float>(dx2.data(), dx2.data() + dx2.size()));
}

TEST_CASE("core.cnn backward follows the last training forward, not a later evaluation",
          "[core-cnn][gradient]") {
    CnnSetup setup;
    const int64_t batch = 4;
    const std::vector<float> x = normal_values(batch * setup.input_dim(), 11);
    OwnedTensor<float> r = tensor_from(normal_values(batch * setup.out_dim, 12), batch, setup.out_dim);
    DLTensor rv = r.view();
    auto gradients = [&](bool evaluate_in_between) {
        auto cnn = make_cnn(setup);
        run_forward(*cnn, x, batch, true);
        if (evaluate_in_between) run_forward(*cnn, normal_values(7 * setup.input_dim(), 13), 7, false);
        OwnedTensor<float> dx({batch, setup.input_dim()});
        DLTensor dxv = dx.view();
        cnn->backward(cnn_exec_ctx(true), rv, &dxv);
        std::vector<float> all(dx.data(), dx.data() + dx.size());
        for (uint32_t p = 0; p < cnn->parameter_count(); ++p) {
            const float* g = static_cast<const float*>(cnn->parameter(p).grad.data);
            all.insert(all.end(), g, g + element_count(cnn->parameter(p).grad));
        }
        return all;
    };
    CHECK(gradients(true) == gradients(false));
}
