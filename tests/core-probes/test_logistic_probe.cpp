// core.logistic_probe: separable and independent targets, balanced sub-sampling under heavy
// imbalance, dead-feature dropping, binarisation, the t-test and the Bonferroni decision,
// determinism, and every documented error.
#include "component_harness.hpp"
#include "logistic_probe.hpp"
#include "student_t.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <functional>
#include <random>
#include <vector>

using namespace idlab::test;
using idlab::probes::LogisticProbe;
using idlab::probes::LogisticProbeOptions;

namespace {

ConfigBuilder probe_config(const std::string& target) {
    ConfigBuilder c;
    c.set_string("target", target)
        .set_string("binarize", "none")
        .set_float("test_fraction", 0.3)
        .set_int("repeats", 10)
        .set_float("C", 1.0)
        .set_float("alpha", 0.05)
        .set_int("comparisons", 85)
        .set_bool("drop_dead_features", true)
        .set_bool("standardize", true);
    return c;
}

// Features [n, p]: standard normal, plus `signal` * (2 label - 1) on column 0 and `offset` on
// every column (a positive offset keeps every mean > 0, so no feature counts as dead).
struct Dataset {
    std::vector<double> x;
    std::vector<int64_t> labels;
    int64_t n, p;
};

Dataset make_dataset(uint64_t seed, int64_t n, int64_t p, double positive_share, double signal, double offset = 3.0) {
    std::mt19937_64 gen(seed);
    std::normal_distribution<double> normal;
    std::uniform_real_distribution<double> uniform;
    Dataset d{std::vector<double>(static_cast<size_t>(n * p)), std::vector<int64_t>(static_cast<size_t>(n)), n, p};
    for (int64_t i = 0; i < n; ++i) {
        d.labels[i] = uniform(gen) < positive_share ? 1 : 0;
        for (int64_t j = 0; j < p; ++j) d.x[i * p + j] = normal(gen) + offset;
        d.x[i * p] += signal * (2.0 * static_cast<double>(d.labels[i]) - 1.0);
    }
    return d;
}

std::vector<uint8_t> as_bytes(const std::vector<int64_t>& v) { return std::vector<uint8_t>(v.begin(), v.end()); }

MetricResult run_probe(ConfigBuilder& config, const Dataset& d, idlab_rng_t rng = {3, IDLAB_RNG_STREAM_EVAL, 1}) {
    MetricHarness<LogisticProbe> probe(config);
    auto features = float_matrix(d.x, d.n, d.p);
    auto target = int_vector(d.labels);
    return probe.evaluate({{"features", features.view()}, {"y", target.view()}}, rng);
}

}  // namespace

TEST_CASE("logistic_probe names its inputs and values after the target", "[core-probes][logistic-probe]") {
    // Named after the target, so that a recipe probing ImageNet-X's 17 targets reads
    // logistic_accuracy_pose, not the host's logistic_accuracy_5.
    ConfigBuilder config = probe_config("background");
    MetricHarness<LogisticProbe> probe(config);
    CHECK(probe.inputs() == std::vector<std::string>{"features", "background"});
    CHECK(probe.values() == std::vector<std::string>{"logistic_accuracy_background", "logistic_accuracy_std_background",
                                                     "logistic_p_value_background", "logistic_significant_background"});
    ConfigBuilder other = probe_config("pose");
    MetricHarness<LogisticProbe> second(other);
    CHECK(second.values().front() == "logistic_accuracy_pose");
}

TEST_CASE("logistic_probe decodes a separable target perfectly and significantly", "[core-probes][logistic-probe]") {
    const Dataset d = make_dataset(1, 400, 4, 0.5, 4.0);  // a margin of 8 standard deviations
    ConfigBuilder config = probe_config("y");
    const MetricResult r = run_probe(config, d);
    INFO(r.message);
    REQUIRE(r.status == IDLAB_STATUS_OK);
    CHECK(r.values[0] == 1.0);
    CHECK(r.values[1] == 0.0);
    CHECK(r.values[2] == 0.0);
    CHECK(r.values[3] == 1.0);
}

TEST_CASE("logistic_probe stays at chance for a target independent of the features", "[core-probes][logistic-probe]") {
    const Dataset d = make_dataset(2, 600, 5, 0.5, 0.0);
    ConfigBuilder config = probe_config("y");
    const MetricResult r = run_probe(config, d);
    REQUIRE(r.status == IDLAB_STATUS_OK);
    CHECK(std::fabs(r.values[0] - 0.5) < 0.06);
    CHECK(r.values[1] > 0.0);
    CHECK(r.values[2] > 0.05 / 85);
    CHECK(r.values[3] == 0.0);
}

TEST_CASE("logistic_probe balances both parts, so a majority class does not pass for signal",
          "[core-probes][logistic-probe]") {
    // 90 % positives and no signal: a majority vote would score 0.9 on an unbalanced test part.
    const Dataset d = make_dataset(3, 1000, 4, 0.9, 0.0);
    const auto labels = as_bytes(d.labels);
    int64_t positives = 0;
    for (uint8_t v : labels) positives += v;
    const int64_t negatives = d.n - positives;
    LogisticProbeOptions options;
    const auto result = idlab::probes::logistic_probe(d.x, labels, d.n, d.p, options, {3, IDLAB_RNG_STREAM_EVAL, 1});
    // The minority class sets both parts: round(0.3 n_0) test rows and the rest train, per class.
    const int64_t test_minority = std::llround(0.3 * static_cast<double>(negatives));
    CHECK(result.test_rows == 2 * test_minority);
    CHECK(result.train_rows == 2 * (negatives - test_minority));
    CHECK(std::fabs(result.mean - 0.5) < 0.1);
    CHECK(result.accuracies.size() == 10);
}

TEST_CASE("logistic_probe's p-value is the t-test of its repeated accuracies", "[core-probes][logistic-probe]") {
    const Dataset d = make_dataset(4, 300, 3, 0.5, 0.4);
    LogisticProbeOptions options;
    options.repeats = 7;
    const auto result = idlab::probes::logistic_probe(d.x, as_bytes(d.labels), d.n, d.p, options, {9, 2, 5});
    REQUIRE(result.accuracies.size() == 7);
    const auto t = idlab::probes::one_sample_t_test(result.accuracies, 0.5);
    CHECK(result.mean == Approx(t.mean).epsilon(1e-15));
    CHECK(result.stddev == Approx(t.stddev).epsilon(1e-15));
    CHECK(result.p_value == Approx(t.p_value).epsilon(1e-15));
    // The accuracies differ between repeats: each repeat draws its own split.
    bool varied = false;
    for (double a : result.accuracies) varied = varied || a != result.accuracies.front();
    CHECK(varied);
}

TEST_CASE("logistic_probe's Bonferroni decision compares p with alpha / comparisons", "[core-probes][logistic-probe]") {
    // A weak signal: p somewhere between 0 and alpha.
    const Dataset d = make_dataset(5, 400, 3, 0.5, 0.15);
    LogisticProbeOptions options;
    const idlab_rng_t rng{3, IDLAB_RNG_STREAM_EVAL, 1};
    const auto base = idlab::probes::logistic_probe(d.x, as_bytes(d.labels), d.n, d.p, options, rng);
    INFO("p = " << base.p_value);
    REQUIRE(base.p_value > 0.0);
    REQUIRE(base.p_value < 0.05);
    const double ratio = 0.05 / base.p_value;  // comparisons below this keep significance
    for (int64_t comparisons : {int64_t{1}, static_cast<int64_t>(std::floor(ratio / 2)) + 1,
                                static_cast<int64_t>(std::ceil(ratio * 2))}) {
        options.comparisons = comparisons;
        const auto r = idlab::probes::logistic_probe(d.x, as_bytes(d.labels), d.n, d.p, options, rng);
        INFO("comparisons = " << comparisons);
        CHECK(r.p_value == base.p_value);
        CHECK(r.significant == (static_cast<double>(comparisons) < ratio));
    }
    // Through the component, with the same randomness: the same p-value and decision.
    ConfigBuilder config = probe_config("y");
    config.set_int("comparisons", static_cast<int64_t>(std::ceil(ratio * 2)));
    const MetricResult m = run_probe(config, d, rng);
    REQUIRE(m.status == IDLAB_STATUS_OK);
    CHECK(m.values[2] == Approx(base.p_value).epsilon(1e-6));  // features pass through float32
    CHECK(m.values[3] == 0.0);
}

TEST_CASE("logistic_probe is deterministic in ctx.rng", "[core-probes][logistic-probe]") {
    const Dataset d = make_dataset(6, 300, 3, 0.4, 0.3);
    ConfigBuilder config = probe_config("y");
    const MetricResult a = run_probe(config, d, {3, IDLAB_RNG_STREAM_EVAL, 1});
    const MetricResult b = run_probe(config, d, {3, IDLAB_RNG_STREAM_EVAL, 1});
    const MetricResult other = run_probe(config, d, {3, IDLAB_RNG_STREAM_EVAL, 2});
    REQUIRE(a.status == IDLAB_STATUS_OK);
    CHECK(a.values == b.values);
    CHECK(other.values[0] != a.values[0]);
}

TEST_CASE("logistic_probe drops dead features unless told not to", "[core-probes][logistic-probe]") {
    // The signal sits in column 0, whose mean is negative: the reference code drops it as dead.
    Dataset d = make_dataset(7, 300, 3, 0.5, 4.0);
    for (int64_t i = 0; i < d.n; ++i) d.x[i * d.p] -= 10.0;
    ConfigBuilder drop = probe_config("y");
    const MetricResult dropped = run_probe(drop, d);
    ConfigBuilder keep = probe_config("y");
    keep.set_bool("drop_dead_features", false);
    const MetricResult kept = run_probe(keep, d);
    REQUIRE(dropped.status == IDLAB_STATUS_OK);
    REQUIRE(kept.status == IDLAB_STATUS_OK);
    CHECK(std::fabs(dropped.values[0] - 0.5) < 0.1);
    CHECK(kept.values[0] == 1.0);
}

TEST_CASE("logistic_probe binarises a many-valued target above its mean", "[core-probes][logistic-probe]") {
    // An ImageNet-like "class" in 0..999, readable from one feature.
    std::mt19937_64 gen(8);
    std::uniform_int_distribution<int64_t> classes(0, 999);
    std::normal_distribution<double> normal;
    Dataset d{std::vector<double>(400 * 2), std::vector<int64_t>(400), 400, 2};
    for (int64_t i = 0; i < d.n; ++i) {
        d.labels[i] = classes(gen);
        d.x[i * 2] = 1.0 + static_cast<double>(d.labels[i]) / 100.0;
        d.x[i * 2 + 1] = 3.0 + normal(gen);
    }
    ConfigBuilder config = probe_config("y");
    config.set_string("binarize", "above_mean");
    const MetricResult r = run_probe(config, d);
    INFO(r.message);
    REQUIRE(r.status == IDLAB_STATUS_OK);
    CHECK(r.values[0] > 0.97);
    CHECK(r.values[3] == 1.0);

    ConfigBuilder strict = probe_config("y");
    const MetricResult refused = run_probe(strict, d);
    CHECK(refused.status == IDLAB_STATUS_INVALID_ARGUMENT);
    CHECK_THAT(refused.message, Catch::Contains("it must be 0 or 1") && Catch::Contains("above_mean"));
}

TEST_CASE("logistic_probe reports its evaluation errors", "[core-probes][logistic-probe]") {
    ConfigBuilder config = probe_config("y");
    SECTION("a class with fewer than two rows") {
        Dataset d = make_dataset(9, 50, 2, 0.5, 1.0);
        for (int64_t& v : d.labels) v = 0;
        d.labels[7] = 1;
        const MetricResult r = run_probe(config, d);
        CHECK(r.status == IDLAB_STATUS_INVALID_ARGUMENT);
        CHECK_THAT(r.message, Catch::Contains("49 rows of class 0 and 1 of class 1"));
    }
    SECTION("every feature dead") {
        const Dataset d = make_dataset(10, 50, 2, 0.5, 1.0, -5.0);
        const MetricResult r = run_probe(config, d);
        CHECK(r.status == IDLAB_STATUS_INVALID_ARGUMENT);
        CHECK_THAT(r.message, Catch::Contains("set drop_dead_features = false"));
    }
    SECTION("more features than the solver takes") {
        const Dataset d = make_dataset(11, 20, LogisticProbe::kMaxFeatures + 1, 0.5, 1.0);
        const MetricResult r = run_probe(config, d);
        CHECK(r.status == IDLAB_STATUS_INVALID_ARGUMENT);
        CHECK_THAT(r.message, Catch::Contains("at most 8192"));
    }
    SECTION("non-finite features") {
        Dataset d = make_dataset(12, 50, 2, 0.5, 1.0);
        d.x[3] = NAN;
        const MetricResult r = run_probe(config, d);
        CHECK(r.status == IDLAB_STATUS_NUMERIC_ERROR);
    }
    SECTION("a float target") {
        MetricHarness<LogisticProbe> probe(config);
        auto features = float_matrix(std::vector<double>(20, 1.0), 10, 2);
        OwnedTensor<float> target({10});
        const MetricResult r = probe.evaluate({{"features", features.view()}, {"y", target.view()}});
        CHECK(r.status == IDLAB_STATUS_INVALID_ARGUMENT);
        CHECK_THAT(r.message, Catch::Contains("y: expected i64 [10]"));
    }
    SECTION("a missing target") {
        MetricHarness<LogisticProbe> probe(config);
        auto features = float_matrix(std::vector<double>(20, 1.0), 10, 2);
        const MetricResult r = probe.evaluate({{"features", features.view()}});
        CHECK(r.status == IDLAB_STATUS_INVALID_ARGUMENT);
        CHECK_THAT(r.message, Catch::Contains("missing input 'y'"));
    }
}

TEST_CASE("logistic_probe reports its configuration errors with the key at fault", "[core-probes][logistic-probe]") {
    const std::vector<idlab_field_desc_t> fields = {field_desc("x", IDLAB_DTYPE_F32, 8), field_desc("texture"),
                                                    field_desc("z", IDLAB_DTYPE_F32, 3)};
    struct Case {
        std::string key;
        std::function<void(ConfigBuilder&)> change;
        std::string message;
    };
    const std::vector<Case> cases = {
        {"target", [](ConfigBuilder& c) { c.set_string("target", "features"); }, "'features' is the encoder's output"},
        {"target", [](ConfigBuilder& c) { c.set_string("target", "pose"); }, "the data provides no field 'pose'"},
        {"target", [](ConfigBuilder& c) { c.set_string("target", "z"); }, "is not an i64 value per sample"},
        {"binarize", [](ConfigBuilder& c) { c.set_string("binarize", "median"); }, "binarize must be"},
        {"repeats", [](ConfigBuilder& c) { c.set_int("repeats", 1); }, "at least 2"},
        {"test_fraction", [](ConfigBuilder& c) { c.set_float("test_fraction", 1.0); }, "(0, 1)"},
        {"C", [](ConfigBuilder& c) { c.set_float("C", 0.0); }, "positive"},
        {"comparisons", [](ConfigBuilder& c) { c.set_int("comparisons", 0); }, "at least 1"},
        {"alpha", [](ConfigBuilder& c) { c.set_float("alpha", 1.5); }, "(0, 1)"},
    };
    for (const Case& c : cases) {
        INFO(c.key << ": " << c.message);
        ConfigBuilder config = probe_config("texture");
        c.change(config);
        Instance<LogisticProbe> probe(config, fields);
        CHECK(probe.created().status == IDLAB_STATUS_INVALID_CONFIG);
        CHECK(probe.created().key == c.key);
        CHECK_THAT(probe.created().message, Catch::Contains(c.message));
    }
}
