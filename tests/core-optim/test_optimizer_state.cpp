// What core.adam and core.sgd expose through idlab.state/1, and that writing a saved copy of
// it (with the parameters) back makes the optimizer continue exactly as if never interrupted:
// save, perturb, restore, equal.
#include "adam.hpp"
#include "optim_fixture.hpp"
#include "sgd.hpp"
#include "support/component_state.hpp"

#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

using idlab::test::ConfigBuilder;
using idlab::test::ParameterSet;

namespace {

// A copy of the optimizer's state and of the parameters it updates, as a checkpoint holds them.
struct Snapshot {
    idlab::test::ComponentSnapshot optimizer;
    std::vector<std::vector<float>> params;
};

Snapshot save(const idlab::Optimizer& opt, ParameterSet& params) {
    Snapshot s{idlab::test::take(opt), {}};
    for (size_t p = 0; p < params.size(); ++p) s.params.push_back(params.value(p));
    return s;
}

void restore(idlab::Optimizer& opt, ParameterSet& params, const Snapshot& s) {
    for (size_t p = 0; p < params.size(); ++p) params.value(p) = s.params[p];
    idlab::test::restore(opt, s.optimizer);
}

// Scribbles over every state tensor and parameter, as another run would leave them.
void perturb(idlab::Optimizer& opt, ParameterSet& params) {
    idlab::test::scribble(opt);
    for (size_t p = 0; p < params.size(); ++p)
        for (float& v : params.value(p)) v = 0.25f;
}

std::vector<std::vector<double>> trajectory(idlab::Optimizer& opt, ParameterSet& params,
                                            int64_t first, int steps) {
    std::vector<std::vector<double>> out;
    for (int t = 0; t < steps; ++t) {
        idlab::test::quadratic_gradient(params);
        opt.step(idlab::test::exec_ctx(first + t));
        out.push_back(idlab::test::flat(params));
    }
    return out;
}

ConfigBuilder adam_config() {
    ConfigBuilder c;
    c.set_float("lr", 0.05).set_float("beta1", 0.9).set_float("beta2", 0.999).set_float("eps", 1e-8)
        .set_float("weight_decay", 0.01);
    return c;
}

ConfigBuilder sgd_config(double momentum) {
    ConfigBuilder c;
    c.set_float("lr", 0.05).set_float("momentum", momentum).set_float("dampening", 0.1)
        .set_bool("nesterov", false).set_float("weight_decay", 0.0);
    return c;
}

// Steps 3 times, saves, steps 4 more, perturbs, restores, steps 4 again: the same numbers.
void check_resumes_exactly(idlab::Optimizer& opt, ParameterSet& params) {
    const auto& views = params.views();
    opt.bind(views.data(), static_cast<uint32_t>(views.size()));
    trajectory(opt, params, 0, 3);
    const Snapshot saved = save(opt, params);
    const auto expected = trajectory(opt, params, 3, 4);
    perturb(opt, params);
    restore(opt, params, saved);
    const auto again = trajectory(opt, params, 3, 4);
    CHECK(again == expected);  // bit for bit
}

}  // namespace

TEST_CASE("Adam exposes both moments of every parameter and its step count as state", "[core-optim][state]") {
    ConfigBuilder config = adam_config();
    auto adam = idlab::test::make_optimizer<idlab::core::Adam>(config);
    ParameterSet params = idlab::test::two_parameters();
    const auto& views = params.views();
    adam->bind(views.data(), static_cast<uint32_t>(views.size()));
    CHECK(idlab::test::state_names(*adam) == std::vector<std::string>{"layer.weight.exp_avg", "layer.weight.exp_avg_sq",
                                                         "layer.bias.exp_avg", "layer.bias.exp_avg_sq", "step"});
    const DLTensor& m = adam->state(0).tensor;
    REQUIRE(m.ndim == 2);
    CHECK(m.shape[0] == 2);
    CHECK(m.shape[1] == 3);
    const DLTensor& step = adam->state(4).tensor;
    CHECK(step.dtype.code == kDLInt);
    CHECK(step.dtype.bits == 64);
    adam->step(idlab::test::exec_ctx(0));
    CHECK(*static_cast<const int64_t*>(step.data) == 1);

    SECTION("binding again exposes the new state only") {
        adam->bind(views.data(), 1);
        CHECK(idlab::test::state_names(*adam) == std::vector<std::string>{"layer.weight.exp_avg", "layer.weight.exp_avg_sq", "step"});
    }
}

TEST_CASE("Adam restored from its state continues exactly", "[core-optim][state]") {
    ConfigBuilder config = adam_config();
    auto adam = idlab::test::make_optimizer<idlab::core::Adam>(config);
    ParameterSet params = idlab::test::two_parameters();
    check_resumes_exactly(*adam, params);
}

TEST_CASE("SGD exposes its momentum buffers and step count as state", "[core-optim][state]") {
    ParameterSet params = idlab::test::two_parameters();
    const auto& views = params.views();
    SECTION("with momentum") {
        ConfigBuilder config = sgd_config(0.9);
        auto sgd = idlab::test::make_optimizer<idlab::core::Sgd>(config);
        sgd->bind(views.data(), static_cast<uint32_t>(views.size()));
        CHECK(idlab::test::state_names(*sgd) == std::vector<std::string>{"layer.weight.momentum_buffer",
                                                            "layer.bias.momentum_buffer", "step"});
    }
    SECTION("without momentum only the step count") {
        ConfigBuilder config = sgd_config(0.0);
        auto sgd = idlab::test::make_optimizer<idlab::core::Sgd>(config);
        sgd->bind(views.data(), static_cast<uint32_t>(views.size()));
        CHECK(idlab::test::state_names(*sgd) == std::vector<std::string>{"step"});
    }
}

TEST_CASE("SGD with momentum restored from its state continues exactly", "[core-optim][state]") {
    ConfigBuilder config = sgd_config(0.9);
    auto sgd = idlab::test::make_optimizer<idlab::core::Sgd>(config);
    ParameterSet params = idlab::test::two_parameters();
    check_resumes_exactly(*sgd, params);
}

TEST_CASE("SGD restored right after its first step keeps its buffer (no fresh start)", "[core-optim][state]") {
    // The step count decides whether the buffer starts afresh; a restore must bring it back.
    ConfigBuilder config = sgd_config(0.9);
    auto sgd = idlab::test::make_optimizer<idlab::core::Sgd>(config);
    ParameterSet params = idlab::test::two_parameters();
    const auto& views = params.views();
    sgd->bind(views.data(), static_cast<uint32_t>(views.size()));
    trajectory(*sgd, params, 0, 1);
    const Snapshot saved = save(*sgd, params);
    const auto expected = trajectory(*sgd, params, 1, 2);
    auto fresh = idlab::test::make_optimizer<idlab::core::Sgd>(config);  // a new process, say
    fresh->bind(views.data(), static_cast<uint32_t>(views.size()));
    restore(*fresh, params, saved);
    CHECK(trajectory(*fresh, params, 1, 2) == expected);
}
