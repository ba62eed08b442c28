// core.accuracy: argmax over the head's rows of <features, w_c> against the label or index,
// on hand-made cases where the answer is known, with and without unit-norm rows, and on the
// rows a split field selects.
#include "accuracy.hpp"
#include "metric_harness.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

using idlab::core::Accuracy;
using idlab::test::ConfigBuilder;
using idlab::test::float_tensor;
using idlab::test::MetricHarness;
using idlab::test::OwnedTensor;

namespace {

class AccuracyHarness : public MetricHarness<Accuracy> {
public:
    explicit AccuracyHarness(const std::string& target = "label", bool normalize_rows = false,
                             const std::string& split_field = "", int64_t score_value = 1)
        : MetricHarness(ConfigBuilder()
                            .set_string("target", target)
                            .set_bool("normalize_rows", normalize_rows)
                            .set_string("split_field", split_field)
                            .set_int("score_value", score_value)) {}
};

OwnedTensor<int64_t> targets(const std::vector<int64_t>& values) {
    OwnedTensor<int64_t> t({static_cast<int64_t>(values.size())});
    for (size_t i = 0; i < values.size(); ++i) t[i] = values[i];
    return t;
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

// Head rows w0 = (10, 0), w1 = (0, 1), w2 = (-1, -1): long row 0 wins unnormalised scores
// that unit rows give to row 1.
const std::vector<double> kHead = {10.0, 0.0,
                                   0.0, 1.0,
                                   -1.0, -1.0};
// Sample scores, raw (w0, w1, w2) and with unit rows (w0/10, w1, w2/sqrt(2)):
//   (1, 2):    raw 10, 2, -3    -> 0;  unit 1, 2, -2.12    -> 1
//   (1, 0.5):  raw 10, 0.5, -1.5 -> 0; unit 1, 0.5, -1.06  -> 0
//   (-1, -2):  raw -10, -2, 3   -> 2;  unit -1, -2, 2.12   -> 2
//   (0.1, 3):  raw 1, 3, -3.1   -> 1;  unit 0.1, 3, -2.19  -> 1
const std::vector<double> kFeatures = {1.0, 2.0,
                                       1.0, 0.5,
                                       -1.0, -2.0,
                                       0.1, 3.0};

}  // namespace

TEST_CASE("accuracy declares its inputs from its target", "[core-metrics]") {
    using Names = std::vector<std::string>;
    AccuracyHarness by_label("label"), by_index("index", true);
    CHECK(by_label.inputs() == Names{"features", "label", "loss.head.weight"});
    CHECK(by_index.inputs() == Names{"features", "index", "loss.head.weight"});
    CHECK(by_label.values() == Names{"accuracy"});
}

TEST_CASE("accuracy on a hand-made head", "[core-metrics]") {
    OwnedTensor<float> head = float_tensor(kHead, 3, 2);
    OwnedTensor<float> features = float_tensor(kFeatures, 4, 2);
    // Unnormalised winners 0, 0, 2, 1; with unit rows 1, 0, 2, 1.
    OwnedTensor<int64_t> truth = targets({1, 0, 2, 1});

    SECTION("raw rows: the long row 0 takes sample 0") {
        AccuracyHarness metric("label", false);
        const auto r = metric.evaluate({{"features", features.view()}, {"label", truth.view()},
                                        {"loss.head.weight", head.view()}});
        REQUIRE(r.status == IDLAB_STATUS_OK);
        CHECK(r.value == Approx(0.75).margin(1e-15));
    }
    SECTION("unit rows, as the loss's normalize_rows scores them") {
        AccuracyHarness metric("label", true);
        const auto r = metric.evaluate({{"features", features.view()}, {"label", truth.view()},
                                        {"loss.head.weight", head.view()}});
        REQUIRE(r.status == IDLAB_STATUS_OK);
        CHECK(r.value == Approx(1.0).margin(1e-15));
    }
    SECTION("the target field is the one configured") {
        OwnedTensor<int64_t> wrong = targets({2, 2, 0, 0});
        AccuracyHarness metric("index", true);
        const auto r = metric.evaluate({{"features", features.view()}, {"label", wrong.view()},
                                        {"index", truth.view()}, {"loss.head.weight", head.view()}});
        REQUIRE(r.status == IDLAB_STATUS_OK);
        CHECK(r.value == Approx(1.0).margin(1e-15));
    }
    SECTION("no sample right") {
        OwnedTensor<int64_t> wrong = targets({2, 2, 0, 0});
        AccuracyHarness metric("label", false);
        const auto r = metric.evaluate({{"features", features.view()}, {"label", wrong.view()},
                                        {"loss.head.weight", head.view()}});
        REQUIRE(r.status == IDLAB_STATUS_OK);
        CHECK(r.value == 0.0);
    }
}

TEST_CASE("accuracy counts only the rows a split field selects", "[core-metrics]") {
    OwnedTensor<float> head = float_tensor(kHead, 3, 2);
    OwnedTensor<float> features = float_tensor(kFeatures, 4, 2);
    OwnedTensor<int64_t> truth = targets({1, 0, 2, 1});  // raw winners 0, 0, 2, 1: sample 0 wrong
    OwnedTensor<int64_t> split = targets({1, 0, 1, 2});  // val: samples 0 and 2
    using Names = std::vector<std::string>;
    AccuracyHarness val("label", false, "split", 1), train("label", false, "split", 0), test("label", false, "split", 2),
        none("label", false, "split", 5);
    CHECK(val.inputs() == Names{"features", "label", "loss.head.weight", "split"});
    auto run = [&](AccuracyHarness& metric) {
        return metric.evaluate({{"features", features.view()}, {"label", truth.view()},
                                {"loss.head.weight", head.view()}, {"split", split.view()}});
    };
    CHECK(run(val).value == Approx(0.5).margin(1e-15));
    CHECK(run(train).value == Approx(1.0).margin(1e-15));
    CHECK(run(test).value == Approx(1.0).margin(1e-15));
    const auto empty = run(none);
    CHECK(empty.status == IDLAB_STATUS_INVALID_ARGUMENT);
    CHECK(contains(empty.message, "none of the 4 evaluation samples has split = 5"));
}

TEST_CASE("accuracy gives ties to the first row, as argmax does", "[core-metrics]") {
    OwnedTensor<float> head = float_tensor({1.0, 0.0, 1.0, 0.0}, 2, 2);  // two equal rows
    OwnedTensor<float> features = float_tensor({1.0, 1.0, 2.0, 0.0}, 2, 2);
    OwnedTensor<int64_t> truth = targets({0, 1});
    AccuracyHarness metric;
    const auto r = metric.evaluate({{"features", features.view()}, {"label", truth.view()},
                                    {"loss.head.weight", head.view()}});
    REQUIRE(r.status == IDLAB_STATUS_OK);
    CHECK(r.value == Approx(0.5).margin(1e-15));
}

TEST_CASE("accuracy rejects malformed inputs", "[core-metrics]") {
    AccuracyHarness metric;
    OwnedTensor<float> head = float_tensor(kHead, 3, 2);
    OwnedTensor<float> features = float_tensor(kFeatures, 4, 2);
    OwnedTensor<int64_t> truth = targets({1, 0, 2, 1});

    SECTION("a missing head") {
        const auto r = metric.evaluate({{"features", features.view()}, {"label", truth.view()}});
        CHECK(r.status == IDLAB_STATUS_INVALID_ARGUMENT);
        CHECK(contains(r.message, "'loss.head.weight'"));
    }
    SECTION("a missing target field") {
        const auto r = metric.evaluate({{"features", features.view()}, {"loss.head.weight", head.view()}});
        CHECK(r.status == IDLAB_STATUS_INVALID_ARGUMENT);
        CHECK(contains(r.message, "'label'"));
    }
    SECTION("a head whose rows do not match the features") {
        OwnedTensor<float> wide = float_tensor({1, 2, 3, 4, 5, 6}, 2, 3);
        const auto r = metric.evaluate({{"features", features.view()}, {"label", truth.view()},
                                        {"loss.head.weight", wide.view()}});
        CHECK(r.status == IDLAB_STATUS_INVALID_ARGUMENT);
        CHECK(contains(r.message, "does not match the features"));
    }
    SECTION("a target beyond the head's rows") {
        OwnedTensor<int64_t> out_of_range = targets({1, 0, 3, 1});
        const auto r = metric.evaluate({{"features", features.view()}, {"label", out_of_range.view()},
                                        {"loss.head.weight", head.view()}});
        CHECK(r.status == IDLAB_STATUS_INVALID_ARGUMENT);
        CHECK(contains(r.message, "label 3 of sample 2"));
    }
    SECTION("a negative target") {
        OwnedTensor<int64_t> negative = targets({1, -1, 2, 1});
        const auto r = metric.evaluate({{"features", features.view()}, {"label", negative.view()},
                                        {"loss.head.weight", head.view()}});
        CHECK(r.status == IDLAB_STATUS_INVALID_ARGUMENT);
    }
    SECTION("a float target") {
        OwnedTensor<float> float_truth({4});
        const auto r = metric.evaluate({{"features", features.view()}, {"label", float_truth.view()},
                                        {"loss.head.weight", head.view()}});
        CHECK(r.status == IDLAB_STATUS_INVALID_ARGUMENT);
        CHECK(contains(r.message, "i64"));
    }
    SECTION("targets for fewer samples than features") {
        OwnedTensor<int64_t> short_truth = targets({1, 0, 2});
        const auto r = metric.evaluate({{"features", features.view()}, {"label", short_truth.view()},
                                        {"loss.head.weight", head.view()}});
        CHECK(r.status == IDLAB_STATUS_INVALID_ARGUMENT);
    }
    SECTION("a non-finite feature") {
        features[3] = std::nanf("");
        const auto r = metric.evaluate({{"features", features.view()}, {"label", truth.view()},
                                        {"loss.head.weight", head.view()}});
        CHECK(r.status == IDLAB_STATUS_NUMERIC_ERROR);
        CHECK(contains(r.message, "features"));
    }
}
