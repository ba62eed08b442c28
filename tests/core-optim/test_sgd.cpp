// core.sgd against torch.optim.SGD's update written out in double, step by step.
#include "optim_fixture.hpp"
#include "sgd.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using idlab::test::ConfigBuilder;
using idlab::test::ParameterSet;

namespace {

struct SgdSettings {
    const char* name;
    double lr, momentum, dampening, weight_decay;
    bool nesterov;
};

ConfigBuilder sgd_config(const SgdSettings& s) {
    ConfigBuilder c;
    c.set_float("lr", s.lr)
        .set_float("momentum", s.momentum)
        .set_float("dampening", s.dampening)
        .set_bool("nesterov", s.nesterov)
        .set_float("weight_decay", s.weight_decay);
    return c;
}

// torch.optim.SGD on the quadratic, in double:
//   g = a (p - c) + wd p
//   momentum != 0: buf = g at the first step, else buf = mu buf + (1 - dampening) g;
//                  g = g + mu buf (nesterov) or g = buf
//   p = p - lr g
std::vector<std::vector<double>> sgd_reference(std::vector<double> p, const SgdSettings& s,
                                               int steps) {
    std::vector<double> buf(p.size(), 0.0);
    std::vector<std::vector<double>> trajectory;
    for (int t = 0; t < steps; ++t) {
        for (size_t i = 0; i < p.size(); ++i) {
            double g = idlab::test::curvature(i) * (p[i] - idlab::test::centre(i)) +
                       s.weight_decay * p[i];
            if (s.momentum != 0.0) {
                buf[i] = t == 0 ? g : s.momentum * buf[i] + (1.0 - s.dampening) * g;
                g = s.nesterov ? g + s.momentum * buf[i] : buf[i];
            }
            p[i] -= s.lr * g;
        }
        trajectory.push_back(p);
    }
    return trajectory;
}

}  // namespace

TEST_CASE("SGD follows torch.optim.SGD step by step", "[core-optim]") {
    const SgdSettings s = GENERATE(values<SgdSettings>({
        {"plain", 0.1, 0.0, 0.0, 0.0, false},
        {"weight decay", 0.1, 0.0, 0.0, 0.2, false},
        {"momentum", 0.05, 0.9, 0.0, 0.0, false},
        {"momentum + dampening + weight decay", 0.05, 0.9, 0.3, 0.1, false},
        {"nesterov", 0.05, 0.8, 0.0, 0.05, true},
    }));
    INFO("settings: " << s.name);
    const int steps = 5;
    ConfigBuilder config = sgd_config(s);
    auto sgd = idlab::test::make_optimizer<idlab::core::Sgd>(config);
    ParameterSet params = idlab::test::two_parameters();
    const std::vector<double> start = idlab::test::flat(params);
    const auto& views = params.views();
    sgd->bind(views.data(), static_cast<uint32_t>(views.size()));

    const auto expected = sgd_reference(start, s, steps);
    for (int t = 0; t < steps; ++t) {
        idlab::test::quadratic_gradient(params);
        sgd->step(idlab::test::exec_ctx(t));
        const std::vector<double> got = idlab::test::flat(params);
        for (size_t i = 0; i < got.size(); ++i) {
            INFO("step " << t + 1 << ", coordinate " << i);
            CHECK(got[i] == Approx(expected[t][i]).margin(1e-5));
        }
    }
    CHECK(sgd->steps_taken() == steps);
}

TEST_CASE("SGD momentum starts from the first gradient without dampening", "[core-optim]") {
    // p = 1, constant g = 2, lr 0.1, momentum 0.9, dampening 0.5:
    //   step 1: buf = 2                      -> p = 1 - 0.2 = 0.8
    //   step 2: buf = 0.9 * 2 + 0.5 * 2 = 2.8 -> p = 0.8 - 0.28 = 0.52
    ConfigBuilder config = sgd_config({"", 0.1, 0.9, 0.5, 0.0, false});
    auto sgd = idlab::test::make_optimizer<idlab::core::Sgd>(config);
    ParameterSet params;
    params.add("p", {1}, {1.0f});
    const auto& views = params.views();
    sgd->bind(views.data(), 1);
    params.grad(0)[0] = 2.0f;
    sgd->step(idlab::test::exec_ctx(0));
    CHECK(params.value(0)[0] == Approx(0.8).epsilon(1e-6));
    sgd->step(idlab::test::exec_ctx(1));
    CHECK(params.value(0)[0] == Approx(0.52).epsilon(1e-6));
}

TEST_CASE("SGD rejects Nesterov without momentum or with dampening", "[core-optim]") {
    SgdSettings s{"", 0.1, 0.9, 0.0, 0.0, true};
    SECTION("no momentum") { s.momentum = 0.0; }
    SECTION("dampening") { s.dampening = 0.1; }
    ConfigBuilder config = sgd_config(s);
    try {
        idlab::test::make_optimizer<idlab::core::Sgd>(config);
        FAIL("no error");
    } catch (const idlab::Error& e) {
        CHECK(e.code() == IDLAB_STATUS_INVALID_CONFIG);
        CHECK(e.param_key() == "nesterov");
    }
}

TEST_CASE("SGD rejects out-of-range settings with the key at fault", "[core-optim]") {
    SgdSettings s{"", 0.1, 0.0, 0.0, 0.0, false};
    std::string key;
    SECTION("lr") { key = "lr"; s.lr = -0.1; }
    SECTION("momentum") { key = "momentum"; s.momentum = -0.5; }
    SECTION("dampening") { key = "dampening"; s.dampening = 1.5; }
    SECTION("weight_decay") { key = "weight_decay"; s.weight_decay = -1.0; }
    ConfigBuilder config = sgd_config(s);
    try {
        idlab::test::make_optimizer<idlab::core::Sgd>(config);
        FAIL("no error for " << key);
    } catch (const idlab::Error& e) {
        CHECK(e.code() == IDLAB_STATUS_INVALID_CONFIG);
        CHECK(e.param_key() == key);
    }
}
