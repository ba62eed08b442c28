// fast_exp (the vectorisable exp of the softmax kernels) against double-precision exp, and the
// softmax kernel, which runs it in SIMD form, against a double softmax.
#include "fast_exp.hpp"
#include "softmax_cross_entropy.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

namespace {

// |approx - exact| in units of the float spacing at the exact value.
double ulps(float approx, double exact) {
    const float rounded = static_cast<float>(exact);
    const double spacing = static_cast<double>(
        std::nextafter(rounded, std::numeric_limits<float>::infinity()) - rounded);
    return std::fabs(static_cast<double>(approx) - exact) / spacing;
}

}  // namespace

TEST_CASE("fast_exp is within 2 ulp of exp over the normal range", "[core-losses][fast_exp]") {
    double worst = 0.0;
    float worst_at = 0.0f;
    auto check = [&](float x) {
        const double error = ulps(idlab::core::fast_exp(x), std::exp(static_cast<double>(x)));
        if (error > worst) worst = error, worst_at = x;
    };
    for (float x = -87.3f; x <= 88.7f; x += 1.0f / 1024.0f) check(x);  // ~180 000 points
    std::mt19937 gen(5);
    std::uniform_real_distribution<float> small(-1.0f, 1.0f);
    for (int i = 0; i < 100000; ++i) check(small(gen));  // around 0, where softmax spends its time
    INFO("worst error " << worst << " ulp at x = " << worst_at);
    CHECK(worst < 2.0);
}

TEST_CASE("fast_exp at the edges of float", "[core-losses][fast_exp]") {
    using idlab::core::fast_exp;
    const float inf = std::numeric_limits<float>::infinity();
    CHECK(fast_exp(0.0f) == 1.0f);
    CHECK(fast_exp(-inf) == 0.0f);
    CHECK(fast_exp(-200.0f) == 0.0f);
    CHECK(fast_exp(inf) == inf);
    CHECK(fast_exp(89.0f) == inf);
    CHECK(fast_exp(1000.0f) == inf);
    CHECK(std::isnan(fast_exp(std::numeric_limits<float>::quiet_NaN())));
    // The largest finite results and the subnormal ones come out, not 0 or inf.
    CHECK(fast_exp(88.7f) == Approx(std::exp(static_cast<double>(88.7f))).epsilon(1e-6));
    for (float x : {-88.0f, -95.0f, -100.0f, -103.0f})
        CHECK(std::fabs(fast_exp(x) - std::exp(static_cast<double>(x))) <=
              4.0 * std::numeric_limits<float>::denorm_min());
}

TEST_CASE("the softmax kernel matches a double softmax on long rows", "[core-losses][fast_exp]") {
    // 1000 classes: several vector chunks and a tail; scores spread over a wide range so that
    // every exponential matters to some entries.
    const int64_t classes = 1000, target = 617;
    std::vector<float> s(classes);
    std::mt19937 gen(11);
    std::normal_distribution<float> normal(0.0f, 4.0f);
    for (float& v : s) v = normal(gen);
    const float beta = 1.3f, smoothing = 0.1f;

    double top = -1e300;
    for (float v : s) top = std::max(top, beta * static_cast<double>(v));
    double sum = 0.0, logit_sum = 0.0;
    for (float v : s) {
        sum += std::exp(beta * static_cast<double>(v) - top);
        logit_sum += beta * static_cast<double>(v);
    }
    const double lse = top + std::log(sum);
    const double expected_loss =
        -(1.0 - smoothing) * (beta * static_cast<double>(s[target]) - lse) -
        smoothing / classes * (logit_sum - classes * lse);
    std::vector<double> expected_grad(classes);
    for (int64_t j = 0; j < classes; ++j)
        expected_grad[j] = std::exp(beta * static_cast<double>(s[j]) - lse) -
                           (j == target ? 1.0 - smoothing : 0.0) - smoothing / classes;

    const double loss = idlab::core::softmax_cross_entropy_row(s.data(), classes, target, beta,
                                                                smoothing, true, 1.0f);
    CHECK(loss == Approx(expected_loss).epsilon(1e-6));
    for (int64_t j = 0; j < classes; ++j) {
        INFO("class " << j);
        CHECK(s[j] == Approx(expected_grad[j]).margin(1e-8).epsilon(1e-5));
    }
}
