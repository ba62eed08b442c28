// core.adam on a team of threads against one thread: every parameter tensor is cut into one slice
// per member, and every element's update is the same arithmetic wherever a slice starts, so the
// trajectories must agree to the bit, for slices of odd sizes, tensors with fewer elements than
// members, more members than cores, and a total too small to be split at all.
#include "adam.hpp"
#include "optim_fixture.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <random>
#include <thread>
#include <vector>

using idlab::test::ConfigBuilder;
using idlab::test::ParameterSet;

namespace {

// Sizes whose sum is above Adam's splitting threshold (or below it, with small = true).
ParameterSet parameters(bool small) {
    std::mt19937 gen(3);
    std::uniform_real_distribution<float> uniform(-2.0f, 2.0f);
    auto values = [&](size_t n) {
        std::vector<float> v(n);
        for (float& x : v) x = uniform(gen);
        return v;
    };
    ParameterSet p;
    const size_t big = small ? 101 : static_cast<size_t>(idlab::core::Adam::kMinElementsToSplit) + 4999;
    p.add("a.weight", {static_cast<int64_t>(big)}, values(big));
    p.add("a.bias", {3}, values(3));
    p.add("b.weight", {37, 29}, values(37 * 29));
    p.add("b.bias", {1}, values(1));
    return p;
}

std::vector<double> trajectory(uint32_t threads, double weight_decay, bool small) {
    ConfigBuilder config;
    config.set_float("lr", 0.01)
        .set_float("beta1", 0.9)
        .set_float("beta2", 0.999)
        .set_float("eps", 1e-8)
        .set_float("weight_decay", weight_decay);
    auto adam = idlab::test::make_optimizer<idlab::core::Adam>(config, threads);
    ParameterSet params = parameters(small);
    const auto& views = params.views();
    adam->bind(views.data(), static_cast<uint32_t>(views.size()));
    std::vector<double> all;
    for (int t = 0; t < 4; ++t) {
        idlab::test::quadratic_gradient(params);
        adam->step(idlab::test::exec_ctx(t));
        const std::vector<double> now = idlab::test::flat(params);
        all.insert(all.end(), now.begin(), now.end());
    }
    return all;
}

}  // namespace

TEST_CASE("Adam gives identical bits on any team", "[core-optim][threads]") {
    const double weight_decay = GENERATE(0.0, 0.05);
    const bool small = GENERATE(false, true);
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    const uint32_t threads = GENERATE_COPY(2u, 3u, 2 * cores + 1);
    INFO("weight_decay " << weight_decay << ", small " << small << ", threads " << threads);
    CHECK(trajectory(1, weight_decay, small) == trajectory(threads, weight_decay, small));
}
