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
// left out. Offsets are those actually taken after float rounding.
//
// Why a fixed relative tolerance alone was marginal: the forward runs in float32, so every loss
// value carries a rounding error of about sigma ~ 1e-7 (for |L| ~ 1). A stencil with weights c
// turns that into an error of sigma * |c|_2 in the derivative: 7e-6 for the central difference
// at 1e-2, but 0.6e-2 (3% of a typical element) for the one-sided difference at 1e-4, which a
// batch-norm bias needs (shifting a whole channel moves hundreds of ReLUs, so its kinks are
// dense). A 4-element tensor with one such element sat at the tolerance. So sigma is measured
// (the scatter of L around a line through 2m + 1 tiny offsets of a smooth element), and each
// element's difference counts only beyond 3 sigma |c|_2. Gradients are then compared per
// tensor as |excess| / |analytic| over the gradient vector, which a wrong term puts far above
// the tolerance (checked below on deliberately scaled gradients).
#include "cnn_harness.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

using namespace idlab::test;

namespace {

constexpr double kSteps[] = {1e-2, 3e-3, 1e-3, 3e-4, 1e-4};
// Of |numeric - analytic| beyond the rounding allowance, relative to |analytic|, per tensor.
// Measured: at most 2.4e-3 in any tensor of any setup (conv weights: truncation error of the
// stencils), where bn1.bias had 1.6e-2 without the allowance; scaling one tensor's gradient by
// 1.05 gives at least 2.1e-2 (layer1.0.bn1.weight, whose allowance is the largest).
constexpr double kTolerance = 1e-2;
// The allowance of an element: this many standard deviations of its stencil's rounding error.
constexpr double kNoiseSigmas = 3.0;

double norm(const std::vector<double>& v) {
    double s = 0.0;
    for (double x : v) s += x * x;
    return std::sqrt(s);
}

struct TensorCheck {
    std::string name;
    std::vector<double> analytic, numeric;  // elements with a difference on one piece
    std::vector<double> allowance;          // what float32 rounding of the loss explains
    size_t skipped = 0;                     // elements with a kink near them on both sides

    // |numeric - analytic| beyond each element's allowance, over |analytic|.
    double relative_error() const {
        std::vector<double> excess(analytic.size());
        for (size_t i = 0; i < excess.size(); ++i)
            excess[i] = std::max(0.0, std::abs(numeric[i] - analytic[i]) - allowance[i]);
        return norm(excess) / std::max(norm(analytic), 1e-30);
    }
    // The same without the allowance (for the messages).
    double raw_relative_error() const {
        std::vector<double> diff(analytic.size());
        for (size_t i = 0; i < diff.size(); ++i) diff[i] = numeric[i] - analytic[i];
        return norm(diff) / std::max(norm(analytic), 1e-30);
    }
};

// f'(0) from f(0), f(a) and f(b) with a and b on the same side of 0: the derivative at 0 of
// the parabola through the three points, second-order accurate like a central difference.
// Returns the weights of f(0), f(a), f(b).
std::array<double, 3> one_sided_weights(double a, double b) {
    return {-(a + b) / (a * b), b / (a * (b - a)), -a / (b * (b - a))};
}

double weighted_sum(const std::vector<float>& f, const std::vector<float>& r) {
    double s = 0.0;
    for (size_t i = 0; i < f.size(); ++i) s += static_cast<double>(f[i]) * r[i];
    return s;
}

// The standard deviation of the rounding error of one loss value: L at 2m + 1 offsets
// k * 1e-5 of one element (far below its kinks and curvature), less the least-squares line
// through them; the residual scatter is rounding alone. Points whose forward leaves the piece
// make the probe unusable (nullopt).
template <class Loss, class Crosses>
std::optional<double> rounding_noise(float& value, const Loss& loss, const Crosses& crosses) {
    constexpr int m = 4;
    constexpr double tau = 1e-5;
    const float original = value;
    std::vector<double> t, l;
    bool usable = true;
    for (int k = -m; k <= m; ++k) {
        value = static_cast<float>(original + k * tau);
        t.push_back(static_cast<double>(value) - static_cast<double>(original));
        l.push_back(loss());
        usable = usable && !crosses();
    }
    value = original;
    if (!usable) return std::nullopt;
    const double n = static_cast<double>(t.size());
    double mt = 0, ml = 0;
    for (size_t i = 0; i < t.size(); ++i) mt += t[i] / n, ml += l[i] / n;
    double stt = 0, stl = 0;
    for (size_t i = 0; i < t.size(); ++i) stt += (t[i] - mt) * (t[i] - mt), stl += (t[i] - mt) * (l[i] - ml);
    const double slope = stl / stt;
    double ssr = 0;
    for (size_t i = 0; i < t.size(); ++i) {
        const double r = l[i] - ml - slope * (t[i] - mt);
        ssr += r * r;
    }
    return std::sqrt(ssr / (n - 2));
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
    auto crosses = [&] { return cnn->activation_pattern() != pattern; };
    const double base_loss = loss();

    // The rounding noise of the loss: the largest of the probes on the first element of every
    // tensor that lies on a smooth piece.
    double sigma = 0.0;
    int probes = 0;
    auto probe = [&](float& value) {
        if (const std::optional<double> s = rounding_noise(value, loss, crosses)) {
            sigma = std::max(sigma, *s);
            ++probes;
        }
    };
    for (uint32_t p = 0; p < cnn->parameter_count(); ++p) probe(static_cast<float*>(cnn->parameter(p).value.data)[0]);
    probe(x[0]);
    REQUIRE(probes >= 3);
    // Rounding of a float32 forward: about 1e-7 of |L| here, never zero, never large.
    INFO("loss " << base_loss << ", rounding noise " << sigma << " from " << probes << " probes");
    CHECK(sigma > 0.0);
    CHECK(sigma < 1e-5 * std::max(1.0, std::abs(base_loss)));

    // The loss with `value` set to `at`, and whether that forward left the unperturbed piece.
    struct Point {
        double offset, loss;
        bool crosses;
    };
    auto evaluate = [&](float& value, float original, double offset) {
        const float at = static_cast<float>(original + offset);
        value = at;
        Point p{static_cast<double>(at) - static_cast<double>(original), loss(), crosses()};
        value = original;
        return p;
    };
    auto differentiate = [&](float& value, double analytic, TensorCheck& check) {
        const float original = value;
        for (double step : kSteps) {
            const Point up = evaluate(value, original, step);
            const Point down = evaluate(value, original, -step);
            double numeric, gain;  // gain: |stencil weights|_2
            if (!up.crosses && !down.crosses) {
                const double span = up.offset - down.offset;
                numeric = (up.loss - down.loss) / span;
                gain = std::sqrt(2.0) / std::abs(span);
            } else if (up.crosses != down.crosses) {
                // A kink on one side only: a second point on the other side.
                const Point near = up.crosses ? down : up;
                const Point far = evaluate(value, original, up.crosses ? -2 * step : 2 * step);
                if (far.crosses) continue;
                const std::array<double, 3> w = one_sided_weights(near.offset, far.offset);
                numeric = w[0] * base_loss + w[1] * near.loss + w[2] * far.loss;
                gain = std::sqrt(w[0] * w[0] + w[1] * w[1] + w[2] * w[2]);
            } else {
                continue;
            }
            check.analytic.push_back(analytic);
            check.numeric.push_back(numeric);
            check.allowance.push_back(kNoiseSigmas * sigma * gain);
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
                       << " left out; relative error beyond rounding " << c.relative_error()
                       << " (" << c.raw_relative_error() << " in all), |analytic| " << norm(c.analytic)
                       << ", |numeric| " << norm(c.numeric) << ", |allowance| " << norm(c.allowance));
        compared += c.analytic.size();
        skipped += c.skipped;
        CHECK(c.analytic.size() >= 3 * c.skipped);
        CHECK(norm(c.analytic) > 1e-3);
        // The allowance must stay a small part of what is compared, or it would hide errors.
        CHECK(norm(c.allowance) < 0.1 * norm(c.analytic));
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

TEST_CASE("core.cnn gradient check: a 5% error in any one tensor fails it", "[core-cnn][gradient]") {
    // The rounding allowance must not hide a real mistake: scale the analytic gradient of each
    // tensor in turn by 1.05 (as a missing or doubled small term would) and require the check to
    // reject it, in the setup whose batch-norm biases need the smallest steps (the one that
    // used to fail).
    CnnSetup setup;
    setup.channels = 3;
    const std::vector<TensorCheck> checks = gradient_checks(setup, 5);
    for (const TensorCheck& c : checks) {
        TensorCheck wrong = c;
        for (double& g : wrong.analytic) g *= 1.05;
        INFO("tensor " << c.name << ": relative error " << c.relative_error() << ", with the 5% error "
                       << wrong.relative_error());
        CHECK(c.relative_error() < kTolerance);
        CHECK(wrong.relative_error() > kTolerance);
    }
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
