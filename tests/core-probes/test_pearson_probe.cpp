// core.pearson_probe against closed-form cases (an exact linear factor, an independent one, an
// offset that a map without intercept cannot absorb), against the protocol computed here by
// hand (in order by train_fraction, and by a split field: fit on the training rows, score the
// held-out ones), and its documented errors.
#include "component_harness.hpp"
#include "pearson_probe.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <random>
#include <utility>
#include <vector>

using namespace idlab::test;
using idlab::probes::PearsonProbe;

namespace {

ConfigBuilder probe_config(const std::string& factors, double train_fraction = 0.5) {
    ConfigBuilder c;
    c.set_string("factors", factors).set_float("train_fraction", train_fraction);
    c.set_string("split_field", "").set_int("fit_value", 0).set_int_list("score_values", {1});
    c.set_string("score_names", "").set_string("prefix", "pearson");
    return c;
}

ConfigBuilder split_config(const std::string& factors, int64_t fit_value, std::vector<int64_t> score_values,
                           const std::string& score_names = "", const std::string& prefix = "pearson") {
    ConfigBuilder c = probe_config(factors);
    c.set_string("split_field", "split").set_int("fit_value", fit_value).set_int_list("score_values", score_values);
    c.set_string("score_names", score_names).set_string("prefix", prefix);
    return c;
}

double pearson(const std::vector<double>& a, const std::vector<double>& b) {
    const double n = static_cast<double>(a.size());
    double ma = 0, mb = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        ma += a[i] / n;
        mb += b[i] / n;
    }
    double sab = 0, saa = 0, sbb = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        sab += (a[i] - ma) * (b[i] - mb);
        saa += (a[i] - ma) * (a[i] - ma);
        sbb += (b[i] - mb) * (b[i] - mb);
    }
    return sab / std::sqrt(saa * sbb);
}

}  // namespace

TEST_CASE("pearson_probe names its inputs and values after the factors", "[core-probes][pearson]") {
    ConfigBuilder config = probe_config(" elevation, azimuth ,object_type");
    MetricHarness<PearsonProbe> probe(config);
    CHECK(probe.inputs() == std::vector<std::string>{"features", "elevation", "azimuth", "object_type"});
    CHECK(probe.values() == std::vector<std::string>{"pearson_elevation", "pearson_azimuth", "pearson_object_type"});

    // By a split field, one fit scored on each named part; the split field is read too.
    ConfigBuilder by_split = split_config("elevation, azimuth", 0, {1, 2}, "val,test");
    MetricHarness<PearsonProbe> both(by_split);
    CHECK(both.inputs() == std::vector<std::string>{"features", "elevation", "azimuth", "split"});
    CHECK(both.values() == std::vector<std::string>{"pearson_val_elevation", "pearson_val_azimuth",
                                                    "pearson_test_elevation", "pearson_test_azimuth"});
    // A prefix tells probes of the same factors apart.
    ConfigBuilder prefixed = split_config("elevation", 0, {2}, "", "readout");
    MetricHarness<PearsonProbe> one(prefixed);
    CHECK(one.values() == std::vector<std::string>{"readout_elevation"});
}

TEST_CASE("pearson_probe gives r = 1 for a factor that is linear in the features", "[core-probes][pearson]") {
    // Integer features (exact in float32) with a constant column, so the offset 3 is in their span.
    std::mt19937_64 gen(1);
    std::uniform_int_distribution<int> small(-5, 5);
    const int64_t n = 200, p = 3;
    std::vector<double> x(static_cast<size_t>(n * p));
    std::vector<int64_t> linear(static_cast<size_t>(n)), negated(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) {
        x[i * p] = 1.0;
        x[i * p + 1] = small(gen);
        x[i * p + 2] = small(gen);
        linear[i] = 3 + 2 * static_cast<int64_t>(x[i * p + 1]) - static_cast<int64_t>(x[i * p + 2]);
        negated[i] = -linear[i];
    }
    auto features = float_matrix(x, n, p);
    auto a = int_vector(linear), b = int_vector(negated);
    ConfigBuilder config = probe_config("a,b");
    MetricHarness<PearsonProbe> probe(config);
    const MetricResult r = probe.evaluate({{"features", features.view()}, {"a", a.view()}, {"b", b.view()}});
    INFO(r.message);
    REQUIRE(r.status == IDLAB_STATUS_OK);
    // The standardised factor is fitted, so a sign flip of the factor still correlates +1.
    CHECK(r.values[0] == Approx(1.0).margin(1e-12));
    CHECK(r.values[1] == Approx(1.0).margin(1e-12));
}

TEST_CASE("pearson_probe gives r near 0 for a factor independent of the features", "[core-probes][pearson]") {
    std::mt19937_64 gen(2);
    std::normal_distribution<double> normal;
    std::uniform_int_distribution<int64_t> classes(0, 9);
    const int64_t n = 4000, p = 5;
    std::vector<double> x(static_cast<size_t>(n * p));
    for (double& v : x) v = normal(gen);
    std::vector<int64_t> factor(static_cast<size_t>(n));
    for (int64_t& v : factor) v = classes(gen);
    auto features = float_matrix(x, n, p);
    auto f = int_vector(factor);
    ConfigBuilder config = probe_config("noise");
    MetricHarness<PearsonProbe> probe(config);
    const MetricResult r = probe.evaluate({{"features", features.view()}, {"noise", f.view()}});
    REQUIRE(r.status == IDLAB_STATUS_OK);
    CHECK(std::fabs(r.values[0]) < 0.1);
}

TEST_CASE("pearson_probe fits without an intercept", "[core-probes][pearson]") {
    // factor = x1 with features x1 = 5 + e1, x2 = 5 + e2. Standardising removes the factor's
    // offset but nothing removes the features' (no centring, no intercept), so the map through
    // the origin must trade e2 noise for the constant: r is about 0.72. With a constant feature
    // the offset is in the span and r = 1; a fit with an intercept would give 1 in both cases.
    std::mt19937_64 gen(3);
    std::normal_distribution<double> normal;
    const int64_t n = 400;
    std::vector<double> bare(static_cast<size_t>(n * 2)), with_constant(static_cast<size_t>(n * 3));
    OwnedTensor<double> factor({n});
    for (int64_t i = 0; i < n; ++i) {
        const double x1 = static_cast<float>(5.0 + normal(gen)), x2 = static_cast<float>(5.0 + normal(gen));
        bare[i * 2] = x1;
        bare[i * 2 + 1] = x2;
        with_constant[i * 3] = x1;
        with_constant[i * 3 + 1] = x2;
        with_constant[i * 3 + 2] = 1.0;
        factor[static_cast<size_t>(i)] = x1;
    }
    auto bare_t = float_matrix(bare, n, 2);
    auto constant_t = float_matrix(with_constant, n, 3);
    ConfigBuilder config = probe_config("offset");
    MetricHarness<PearsonProbe> probe(config);
    const MetricResult without = probe.evaluate({{"features", bare_t.view()}, {"offset", factor.view()}});
    const MetricResult with = probe.evaluate({{"features", constant_t.view()}, {"offset", factor.view()}});
    REQUIRE(without.status == IDLAB_STATUS_OK);
    REQUIRE(with.status == IDLAB_STATUS_OK);
    CHECK(with.values[0] == Approx(1.0).margin(1e-9));
    CHECK(without.values[0] == Approx(0.72).margin(0.1));
}

TEST_CASE("pearson_probe follows the protocol step by step", "[core-probes][pearson]") {
    // Two features, train_fraction 0.6 of 50 rows: fit on rows 0..29, score rows 30..49.
    std::mt19937_64 gen(4);
    std::normal_distribution<double> normal;
    const int64_t n = 50, p = 2, train = 30;
    std::vector<double> x(static_cast<size_t>(n * p));
    for (double& v : x) v = static_cast<float>(normal(gen));  // as the probe sees them
    OwnedTensor<float> factor({n});
    std::vector<double> y(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) {
        y[i] = static_cast<float>(0.8 * x[i * p] - 0.3 * x[i * p + 1] + 0.5 * normal(gen) + 2.0);
        factor[static_cast<size_t>(i)] = static_cast<float>(y[i]);
    }
    // By hand: standardise on the train rows, solve the 2 x 2 normal equations, correlate.
    double mean = 0.0, ss = 0.0;
    for (int64_t i = 0; i < train; ++i) mean += y[i] / train;
    for (int64_t i = 0; i < train; ++i) ss += (y[i] - mean) * (y[i] - mean);
    const double sd = std::sqrt(ss / train);
    double a11 = 0, a12 = 0, a22 = 0, b1 = 0, b2 = 0;
    for (int64_t i = 0; i < train; ++i) {
        const double u = x[i * p], v = x[i * p + 1], t = (y[i] - mean) / sd;
        a11 += u * u;
        a12 += u * v;
        a22 += v * v;
        b1 += u * t;
        b2 += v * t;
    }
    const double det = a11 * a22 - a12 * a12;
    const double beta1 = (a22 * b1 - a12 * b2) / det, beta2 = (a11 * b2 - a12 * b1) / det;
    std::vector<double> held_out, predicted;
    for (int64_t i = train; i < n; ++i) {
        held_out.push_back(y[i]);
        predicted.push_back(beta1 * x[i * p] + beta2 * x[i * p + 1]);
    }
    const double expected = pearson(held_out, predicted);

    auto features = float_matrix(x, n, p);
    ConfigBuilder config = probe_config("f", 0.6);
    MetricHarness<PearsonProbe> probe(config);
    const MetricResult r = probe.evaluate({{"features", features.view()}, {"f", factor.view()}});
    REQUIRE(r.status == IDLAB_STATUS_OK);
    CHECK(r.values[0] == Approx(expected).epsilon(1e-9));
    CHECK(std::fabs(expected) > 0.3);  // the case is not degenerate
}

TEST_CASE("pearson_probe with a split field fits on one part and scores another", "[core-probes][pearson]") {
    // Rows interleaved as the image datasets never do (they put train rows first), so the probe
    // must select by value, not position: split = i % 3 (0 train, 1 val, 2 test). The factor
    // is linear in the features plus noise on the train rows, with a different map on the val
    // rows and pure noise on the test rows, so each choice of rows gives its own r, computed
    // here by hand on the same rows.
    std::mt19937_64 gen(5);
    std::normal_distribution<double> normal;
    const int64_t n = 300, p = 2;
    std::vector<double> x(static_cast<size_t>(n * p));
    for (double& v : x) v = static_cast<float>(normal(gen));
    std::vector<int64_t> split(static_cast<size_t>(n));
    OwnedTensor<double> factor({n});
    for (int64_t i = 0; i < n; ++i) {
        split[i] = i % 3;
        const double u = x[i * p], v = x[i * p + 1];
        factor[static_cast<size_t>(i)] = split[i] == 0 ? 2 * u - v + 0.3 * normal(gen)
                                         : split[i] == 1 ? u + 0.5 * normal(gen)
                                                         : normal(gen);
    }
    // By hand: standardise on the fit rows, solve the normal equations there, correlate on the
    // score rows.
    auto by_hand = [&](int64_t fit_value, int64_t score_value) {
        std::vector<int64_t> fit, score;
        for (int64_t i = 0; i < n; ++i) {
            if (split[i] == fit_value) fit.push_back(i);
            if (split[i] == score_value) score.push_back(i);
        }
        double mean = 0, ss = 0;
        for (int64_t i : fit) mean += factor[static_cast<size_t>(i)] / static_cast<double>(fit.size());
        for (int64_t i : fit) ss += std::pow(factor[static_cast<size_t>(i)] - mean, 2);
        const double sd = std::sqrt(ss / static_cast<double>(fit.size()));
        double a11 = 0, a12 = 0, a22 = 0, b1 = 0, b2 = 0;
        for (int64_t i : fit) {
            const double u = x[i * p], v = x[i * p + 1], t = (factor[static_cast<size_t>(i)] - mean) / sd;
            a11 += u * u, a12 += u * v, a22 += v * v, b1 += u * t, b2 += v * t;
        }
        const double det = a11 * a22 - a12 * a12;
        const double beta1 = (a22 * b1 - a12 * b2) / det, beta2 = (a11 * b2 - a12 * b1) / det;
        std::vector<double> truth, predicted;
        for (int64_t i : score) {
            truth.push_back(factor[static_cast<size_t>(i)]);
            predicted.push_back(beta1 * x[i * p] + beta2 * x[i * p + 1]);
        }
        return pearson(truth, predicted);
    };
    auto features = float_matrix(x, n, p);
    auto split_t = int_vector(split);
    for (const auto& [fit_value, score_value] : std::vector<std::pair<int64_t, int64_t>>{{0, 1}, {0, 2}, {1, 0}}) {
        INFO("fit on " << fit_value << ", score " << score_value);
        ConfigBuilder config = split_config("f", fit_value, {score_value});
        MetricHarness<PearsonProbe> probe(config);
        const MetricResult r = probe.evaluate({{"features", features.view()}, {"f", factor.view()}, {"split", split_t.view()}});
        INFO(r.message);
        REQUIRE(r.status == IDLAB_STATUS_OK);
        CHECK(r.values[0] == Approx(by_hand(fit_value, score_value)).epsilon(1e-9));
    }
    // Both held-out parts from one fit: the same numbers as two probes.
    ConfigBuilder both = split_config("f", 0, {1, 2}, "val,test");
    MetricHarness<PearsonProbe> probe(both);
    const MetricResult r = probe.evaluate({{"features", features.view()}, {"f", factor.view()}, {"split", split_t.view()}});
    REQUIRE(r.status == IDLAB_STATUS_OK);
    CHECK(r.values[0] == Approx(by_hand(0, 1)).epsilon(1e-9));
    CHECK(r.values[1] == Approx(by_hand(0, 2)).epsilon(1e-9));
    CHECK(by_hand(0, 1) > 0.5);             // val shares part of the train map
    CHECK(std::fabs(by_hand(0, 2)) < 0.2);  // test is noise

    SECTION("too few rows of a value: an error that says which") {
        std::vector<int64_t> no_val(static_cast<size_t>(n), 0);
        no_val[0] = 1;
        auto t = int_vector(no_val);
        ConfigBuilder config = split_config("f", 0, {1});
        MetricHarness<PearsonProbe> one(config);
        const MetricResult r = one.evaluate({{"features", features.view()}, {"f", factor.view()}, {"split", t.view()}});
        CHECK(r.status == IDLAB_STATUS_INVALID_ARGUMENT);
        CHECK_THAT(r.message, Catch::Contains("299 have split = 0 (fit) and 1 have split = 1 (score)") &&
                                  Catch::Contains("eval_train_rows"));
    }
}

TEST_CASE("pearson_probe reports its evaluation errors", "[core-probes][pearson]") {
    const int64_t n = 20;
    std::vector<double> x(static_cast<size_t>(n * 2));
    for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<double>((i * 7) % 11);
    auto features = float_matrix(x, n, 2);
    std::vector<int64_t> varying(static_cast<size_t>(n)), constant_train(static_cast<size_t>(n), 4);
    for (int64_t i = 0; i < n; ++i) varying[i] = i % 3;
    constant_train[n - 1] = 5;  // varies only in the held-out half
    auto good = int_vector(varying), flat = int_vector(constant_train);
    ConfigBuilder config = probe_config("f");
    MetricHarness<PearsonProbe> probe(config);

    SECTION("a factor constant on the train rows") {
        const MetricResult r = probe.evaluate({{"features", features.view()}, {"f", flat.view()}});
        CHECK(r.status == IDLAB_STATUS_NUMERIC_ERROR);
        CHECK_THAT(r.message, Catch::Contains("factor 'f' is constant on the 10 fit rows"));
    }
    SECTION("too few rows for both parts") {
        auto few = float_matrix({1, 2, 3, 4, 5, 6}, 3, 2);
        auto f3 = int_vector({0, 1, 2});
        const MetricResult r = probe.evaluate({{"features", few.view()}, {"f", f3.view()}});
        CHECK(r.status == IDLAB_STATUS_INVALID_ARGUMENT);
        CHECK_THAT(r.message, Catch::Contains("each part needs at least 2"));
    }
    SECTION("a missing factor") {
        const MetricResult r = probe.evaluate({{"features", features.view()}});
        CHECK(r.status == IDLAB_STATUS_INVALID_ARGUMENT);
        CHECK_THAT(r.message, Catch::Contains("missing input 'f'"));
    }
    SECTION("a factor with several values per sample") {
        auto wide = float_matrix(x, n, 2);
        const MetricResult r = probe.evaluate({{"features", features.view()}, {"f", wide.view()}});
        CHECK(r.status == IDLAB_STATUS_INVALID_ARGUMENT);
        CHECK_THAT(r.message, Catch::Contains("f: expected f32 [20]"));
    }
    SECTION("a factor of another length") {
        auto shorter = int_vector({0, 1, 2});
        const MetricResult r = probe.evaluate({{"features", features.view()}, {"f", shorter.view()}});
        CHECK(r.status == IDLAB_STATUS_INVALID_ARGUMENT);
    }
    SECTION("non-finite features") {
        auto bad = float_matrix(x, n, 2);
        bad[5] = std::nanf("");
        const MetricResult r = probe.evaluate({{"features", bad.view()}, {"f", good.view()}});
        CHECK(r.status == IDLAB_STATUS_NUMERIC_ERROR);
        CHECK_THAT(r.message, Catch::Contains("features contains a non-finite value"));
    }
    SECTION("a non-finite float factor") {
        OwnedTensor<double> f({n});
        for (int64_t i = 0; i < n; ++i) f[static_cast<size_t>(i)] = static_cast<double>(i);
        f[3] = INFINITY;
        const MetricResult r = probe.evaluate({{"features", features.view()}, {"f", f.view()}});
        CHECK(r.status == IDLAB_STATUS_NUMERIC_ERROR);
        CHECK_THAT(r.message, Catch::Contains("factor 'f' has a non-finite value at row 3"));
    }
}

TEST_CASE("pearson_probe reports its configuration errors with the key at fault", "[core-probes][pearson]") {
    struct Case {
        std::string factors;
        std::string message;
    };
    const std::vector<idlab_field_desc_t> fields = {field_desc("x", IDLAB_DTYPE_F32, 12), field_desc("elevation"),
                                                    field_desc("z", IDLAB_DTYPE_F32, 3)};
    for (const Case& c : {Case{"", "factors is empty"}, Case{" , ", "has an empty name"},
                          Case{"elevation,,z", "has an empty name"}, Case{"elevation, elevation", "names 'elevation' twice"},
                          Case{"features", "'features' is the encoder's output"},
                          Case{"elevation,azimuth", "the data provides no field 'azimuth'"},
                          Case{"z", "field 'z' has 3 values per sample; a factor needs one"}}) {
        INFO("factors = \"" << c.factors << "\"");
        ConfigBuilder config = probe_config(c.factors);
        Instance<PearsonProbe> probe(config, fields);
        CHECK(probe.created().status == IDLAB_STATUS_INVALID_CONFIG);
        CHECK(probe.created().key == "factors");
        CHECK_THAT(probe.created().message, Catch::Contains(c.message));
    }
    ConfigBuilder fraction = probe_config("elevation", 1.0);
    Instance<PearsonProbe> probe(fraction, fields);
    CHECK(probe.created().status == IDLAB_STATUS_INVALID_CONFIG);
    CHECK(probe.created().key == "train_fraction");

    const std::vector<idlab_field_desc_t> image_fields = {field_desc("x", IDLAB_DTYPE_F32, 12), field_desc("elevation"),
                                                          field_desc("split"), field_desc("z", IDLAB_DTYPE_F32, 3)};
    struct SplitCase {
        std::string field;
        int64_t fit;
        std::vector<int64_t> score;
        std::string names, key, message;
    };
    for (const SplitCase& c :
         {SplitCase{"part", 0, {1}, "", "split_field", "the data provides no field 'part'"},
          SplitCase{"z", 0, {1}, "", "split_field", "field 'z' is not an i64 value per sample"},
          SplitCase{"split", 1, {1}, "", "score_values", "would be scored on the rows it was fitted on"},
          SplitCase{"split", 0, {}, "", "score_values", "names no part to score"},
          SplitCase{"split", 0, {2, 2}, "a,b", "score_values", "lists 2 twice"},
          SplitCase{"split", 0, {1, 2}, "", "score_names", "need score_names"},
          SplitCase{"split", 0, {1, 2}, "val", "score_names", "has 1 names for 2 scored parts"}}) {
        INFO("split_field = " << c.field << ", fit " << c.fit << ", names " << c.names);
        ConfigBuilder config = split_config("elevation", c.fit, c.score, c.names);
        config.set_string("split_field", c.field);
        Instance<PearsonProbe> bad(config, image_fields);
        CHECK(bad.created().status == IDLAB_STATUS_INVALID_CONFIG);
        CHECK(bad.created().key == c.key);
        CHECK_THAT(bad.created().message, Catch::Contains(c.message));
    }
    ConfigBuilder no_prefix = probe_config("elevation");
    no_prefix.set_string("prefix", "");
    Instance<PearsonProbe> unnamed(no_prefix, image_fields);
    CHECK(unnamed.created().key == "prefix");
}
