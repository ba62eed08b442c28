// core.adam against torch.optim.Adam's update written out in double, step by step.
#include "adam.hpp"
#include "optim_fixture.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

using idlab::test::ConfigBuilder;
using idlab::test::ParameterSet;

namespace {

ConfigBuilder adam_config(double lr, double weight_decay) {
    ConfigBuilder c;
    c.set_float("lr", lr)
        .set_float("beta1", 0.9)
        .set_float("beta2", 0.999)
        .set_float("eps", 1e-8)
        .set_float("weight_decay", weight_decay);
    return c;
}

// torch.optim.Adam (amsgrad = False) on the quadratic, in double:
//   g = a (p - c) + wd p; m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
//   p = p - lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
std::vector<std::vector<double>> adam_reference(std::vector<double> p, double lr, double wd,
                                                int steps) {
    const double b1 = 0.9, b2 = 0.999, eps = 1e-8;
    std::vector<double> m(p.size(), 0.0), v(p.size(), 0.0);
    std::vector<std::vector<double>> trajectory;
    for (int t = 1; t <= steps; ++t) {
        for (size_t i = 0; i < p.size(); ++i) {
            const double g = idlab::test::curvature(i) * (p[i] - idlab::test::centre(i)) + wd * p[i];
            m[i] = b1 * m[i] + (1.0 - b1) * g;
            v[i] = b2 * v[i] + (1.0 - b2) * g * g;
            const double m_hat = m[i] / (1.0 - std::pow(b1, t));
            const double v_hat = v[i] / (1.0 - std::pow(b2, t));
            p[i] -= lr * m_hat / (std::sqrt(v_hat) + eps);
        }
        trajectory.push_back(p);
    }
    return trajectory;
}

}  // namespace

TEST_CASE("Adam follows torch.optim.Adam step by step", "[core-optim]") {
    const double weight_decay = GENERATE(0.0, 0.05);
    INFO("weight_decay = " << weight_decay);
    const double lr = 0.1;
    const int steps = 6;

    ConfigBuilder config = adam_config(lr, weight_decay);
    auto adam = idlab::test::make_optimizer<idlab::core::Adam>(config);
    ParameterSet params = idlab::test::two_parameters();
    const std::vector<double> start = idlab::test::flat(params);
    const auto& views = params.views();
    adam->bind(views.data(), static_cast<uint32_t>(views.size()));

    const auto expected = adam_reference(start, lr, weight_decay, steps);
    for (int t = 0; t < steps; ++t) {
        idlab::test::quadratic_gradient(params);
        adam->step(idlab::test::exec_ctx(t));
        const std::vector<double> got = idlab::test::flat(params);
        for (size_t i = 0; i < got.size(); ++i) {
            INFO("step " << t + 1 << ", coordinate " << i);
            CHECK(got[i] == Approx(expected[t][i]).margin(1e-5));
        }
    }
    CHECK(adam->steps_taken() == steps);
}

TEST_CASE("Adam's first steps under a constant gradient move by lr", "[core-optim]") {
    // m_hat = g and v_hat = g^2 at every step when g is constant, so p moves by
    // lr * g / (|g| + eps): 0.1 per step for p = 1, g = 2.
    ConfigBuilder config = adam_config(0.1, 0.0);
    auto adam = idlab::test::make_optimizer<idlab::core::Adam>(config);
    ParameterSet params;
    params.add("p", {1}, {1.0f});
    const auto& views = params.views();
    adam->bind(views.data(), 1);
    params.grad(0)[0] = 2.0f;
    adam->step(idlab::test::exec_ctx(0));
    CHECK(params.value(0)[0] == Approx(0.9).epsilon(1e-6));
    adam->step(idlab::test::exec_ctx(1));
    CHECK(params.value(0)[0] == Approx(0.8).epsilon(1e-6));
    adam->step(idlab::test::exec_ctx(2));
    CHECK(params.value(0)[0] == Approx(0.7).epsilon(1e-6));
    CHECK(params.grad(0)[0] == 2.0f);  // the gradient is read, never written
}

TEST_CASE("Adam's weight decay is L2 added to the gradient, not decoupled", "[core-optim]") {
    // A zero gradient with weight decay: g = wd * p, so the first step is lr * sign(p),
    // whereas AdamW would move p by lr * wd * p = 0.0005 only.
    ConfigBuilder config = adam_config(0.01, 0.5);
    auto adam = idlab::test::make_optimizer<idlab::core::Adam>(config);
    ParameterSet params;
    params.add("p", {2}, {0.1f, -3.0f});
    const auto& views = params.views();
    adam->bind(views.data(), 1);
    adam->step(idlab::test::exec_ctx(0));
    CHECK(params.value(0)[0] == Approx(0.09).epsilon(1e-5));
    CHECK(params.value(0)[1] == Approx(-2.99).epsilon(1e-6));
}

TEST_CASE("binding again restarts Adam's moments and step count", "[core-optim]") {
    ConfigBuilder config = adam_config(0.1, 0.0);
    auto adam = idlab::test::make_optimizer<idlab::core::Adam>(config);
    ParameterSet params;
    params.add("p", {1}, {1.0f});
    const auto& views = params.views();
    adam->bind(views.data(), 1);
    params.grad(0)[0] = 2.0f;
    adam->step(idlab::test::exec_ctx(0));
    adam->step(idlab::test::exec_ctx(1));
    params.grad(0)[0] = -1.0f;
    adam->bind(views.data(), 1);
    CHECK(adam->steps_taken() == 0);
    adam->step(idlab::test::exec_ctx(0));
    // A fresh first step: exactly lr against the new gradient, no memory of the old one.
    CHECK(params.value(0)[0] == Approx(0.8 + 0.1).epsilon(1e-6));
}

TEST_CASE("Adam rejects out-of-range settings with the key at fault", "[core-optim]") {
    ConfigBuilder config = adam_config(0.1, 0.0);
    std::string key;
    SECTION("lr") { key = "lr"; config.set_float(key, 0.0); }
    SECTION("beta1") { key = "beta1"; config.set_float(key, 1.0); }
    SECTION("beta2") { key = "beta2"; config.set_float(key, -0.1); }
    SECTION("eps") { key = "eps"; config.set_float(key, -1e-8); }
    SECTION("weight_decay") { key = "weight_decay"; config.set_float(key, -1.0); }
    try {
        idlab::test::make_optimizer<idlab::core::Adam>(config);
        FAIL("no error for " << key);
    } catch (const idlab::Error& e) {
        CHECK(e.code() == IDLAB_STATUS_INVALID_CONFIG);
        CHECK(e.param_key() == key);
    }
}
