#include "logistic_probe.hpp"

#include "balanced_split.hpp"
#include "logistic_regression.hpp"
#include "metric_inputs.hpp"
#include "student_t.hpp"

#include <idlab/philox.hpp>

#include <algorithm>
#include <cmath>

namespace idlab::probes {

namespace {

// Step 1 of the protocol: keeps the columns of x [n, p] whose mean is > 0 (all of them when
// `drop_dead` is false) and z-scores them when `standardize` (numpy std, ddof 0; a constant
// column is only centred, as sklearn's StandardScaler does). Returns the kept column count.
int64_t prepare_features(std::vector<double>& x, int64_t n, int64_t p, bool drop_dead, bool standardize) {
    std::vector<double> mean(static_cast<size_t>(p), 0.0);
    for (int64_t i = 0; i < n; ++i)
        for (int64_t j = 0; j < p; ++j) mean[j] += x[i * p + j];
    for (double& m : mean) m /= static_cast<double>(n);
    std::vector<int64_t> kept;
    for (int64_t j = 0; j < p; ++j)
        if (!drop_dead || mean[j] > 0.0) kept.push_back(j);
    const int64_t q = static_cast<int64_t>(kept.size());
    if (q == 0)
        idlab::argument_error(std::string(LogisticProbe::kId) + ": every one of the " + std::to_string(p) +
                              " features has a mean <= 0 over the evaluation samples, so all are dropped as dead; "
                              "set drop_dead_features = false for features that are not ReLU outputs");

    std::vector<double> scale(static_cast<size_t>(q), 1.0);
    if (standardize) {
        std::vector<double> ss(static_cast<size_t>(q), 0.0);
        for (int64_t i = 0; i < n; ++i)  // row by row: x is row-major
            for (int64_t k = 0; k < q; ++k) {
                const double d = x[i * p + kept[k]] - mean[kept[k]];
                ss[k] += d * d;
            }
        for (int64_t k = 0; k < q; ++k) {
            const double stddev = std::sqrt(ss[k] / static_cast<double>(n));
            if (stddev > 0.0) scale[k] = 1.0 / stddev;
        }
    }
    // Compact in place: row i's kept columns move to [i * q, (i + 1) * q), never ahead of reads.
    for (int64_t i = 0; i < n; ++i)
        for (int64_t k = 0; k < q; ++k) {
            const double v = x[i * p + kept[k]];
            x[i * q + k] = standardize ? (v - mean[kept[k]]) * scale[k] : v;
        }
    x.resize(static_cast<size_t>(n * q));
    return q;
}

void gather(const std::vector<double>& x, const std::vector<uint8_t>& labels, int64_t q,
            const std::vector<int64_t>& rows, std::vector<double>& xs, std::vector<uint8_t>& ys) {
    xs.resize(rows.size() * static_cast<size_t>(q));
    ys.resize(rows.size());
    for (size_t r = 0; r < rows.size(); ++r) {
        std::copy(x.begin() + rows[r] * q, x.begin() + (rows[r] + 1) * q, xs.begin() + static_cast<int64_t>(r) * q);
        ys[r] = labels[static_cast<size_t>(rows[r])];
    }
}

}  // namespace

LogisticProbeResult logistic_probe(std::vector<double> x, const std::vector<uint8_t>& labels, int64_t n,
                                   int64_t p, const LogisticProbeOptions& options, const idlab_rng_t& rng) {
    const int64_t q = prepare_features(x, n, p, options.drop_dead_features, options.standardize);
    if (q > LogisticProbe::kMaxFeatures)
        idlab::argument_error(std::string(LogisticProbe::kId) + ": " + std::to_string(q) +
                              " features; the Newton solver handles at most " +
                              std::to_string(LogisticProbe::kMaxFeatures) +
                              " (project them first, as the paper's input baseline does to 2048)");

    // Split keys: repeat r uses word r of row i's own Philox sequence.
    const int64_t repeats = options.repeats;
    std::vector<std::vector<uint64_t>> keys(static_cast<size_t>(repeats), std::vector<uint64_t>(static_cast<size_t>(n)));
    idlab_rng_t split_rng = rng;
    split_rng.stream = LogisticProbe::kRngStream;
    for (int64_t i = 0; i < n; ++i) {
        PhiloxStream stream = PhiloxStream::for_sample(split_rng, static_cast<uint64_t>(i));
        for (int64_t r = 0; r < repeats; ++r) keys[r][i] = stream.next_u64();
    }

    LogisticProbeResult result;
    result.features_used = q;
    std::vector<double> train_x, test_x;
    std::vector<uint8_t> train_y, test_y;
    for (int64_t r = 0; r < repeats; ++r) {
        const BalancedSplit split = balanced_split(labels, keys[r], options.test_fraction);
        gather(x, labels, q, split.train, train_x, train_y);
        gather(x, labels, q, split.test, test_x, test_y);
        const int64_t train_rows = static_cast<int64_t>(split.train.size());
        const int64_t test_rows = static_cast<int64_t>(split.test.size());
        const LogisticModel model = fit_logistic_regression(train_x, train_y, train_rows, q, options.C);
        result.accuracies.push_back(accuracy(model, test_x, test_y, test_rows));
        result.train_rows = train_rows;
        result.test_rows = test_rows;
    }
    const TTestResult test = one_sample_t_test(result.accuracies, 0.5);
    result.mean = test.mean;
    result.stddev = test.stddev;
    result.p_value = test.p_value;
    result.significant = test.p_value < options.alpha / static_cast<double>(options.comparisons);
    return result;
}

idlab::ComponentSpec LogisticProbe::spec() {
    idlab::ComponentSpec s;
    s.id = kId;
    s.summary = "balanced logistic-regression probe of a binary factor with a t-test against chance "
                "(ImageNet-X protocol, paper Fig. 3)";
    s.doc =
        "Over the evaluation samples: drops features whose mean is <= 0 and z-scores the rest (as the reference "
        "code; switchable), binarises the i64 field 'target' (values 0/1, or value > mean with binarize = "
        "\"above_mean\"), then 'repeats' times: a stratified split (test_fraction held out), both parts "
        "sub-sampled to equal class counts, L2 logistic regression (sklearn's objective with C and an "
        "unpenalised intercept, solved exactly by Newton's method in float64), accuracy on the test part. "
        "Reports, named after the target, logistic_accuracy_<target> (mean), logistic_accuracy_std_<target> "
        "(sample std), logistic_p_value_<target> (two-sided one-sample t-test against 0.5) and "
        "logistic_significant_<target> (1 when p < alpha / comparisons, Bonferroni). "
        "Split randomness comes from the run seed and the evaluation counter (Philox). At most 8192 features.";
    s.devices = IDLAB_DEVICE_CPU;
    s.params = {
        idlab::Param::string("target", "", "the binary (or binarised) i64 field to decode").make_required(),
        idlab::Param::string("binarize", "\"none\"",
                             "none: the target holds 0/1; above_mean: 1 where the value exceeds its mean")
            .one_of("none|above_mean"),
        idlab::Param::floating("test_fraction", "0.3", "share of each class held out for testing").above(0.0).below(1.0),
        idlab::Param::integer("repeats", "10", "random splits; the t-test has repeats - 1 degrees of freedom").at_least(2),
        idlab::Param::floating("C", "1.0", "inverse L2 strength, as sklearn's C").above(0.0),
        idlab::Param::floating("alpha", "0.05", "family-wise significance level").above(0.0).below(1.0),
        idlab::Param::integer("comparisons", "85", "Bonferroni divisor: probes x models compared (paper: 17 x 5)")
            .at_least(1),
        idlab::Param::boolean("drop_dead_features", "true", "drop features whose mean is <= 0 (dead ReLU units)"),
        idlab::Param::boolean("standardize", "true", "z-score the features over the evaluation samples"),
    };
    return s;
}

LogisticProbe::LogisticProbe(const idlab::CreateContext& ctx, const idlab::Config& config)
    : target_(config.get_string("target")) {
    const std::string binarize = config.get_string("binarize");
    if (binarize != "none" && binarize != "above_mean")
        idlab::config_error("binarize", "binarize must be \"none\" or \"above_mean\", got \"" + binarize + "\"");
    above_mean_ = binarize == "above_mean";
    options_.test_fraction = config.get_float("test_fraction");
    options_.repeats = config.get_int("repeats");
    options_.C = config.get_float("C");
    options_.alpha = config.get_float("alpha");
    options_.comparisons = config.get_int("comparisons");
    options_.drop_dead_features = config.get_bool("drop_dead_features");
    options_.standardize = config.get_bool("standardize");
    if (!(options_.test_fraction > 0.0 && options_.test_fraction < 1.0))
        idlab::config_error("test_fraction", "test_fraction must lie in (0, 1)");
    if (options_.repeats < 2) idlab::config_error("repeats", "repeats must be at least 2 for a t-test");
    if (!(options_.C > 0.0)) idlab::config_error("C", "C must be positive");
    if (!(options_.alpha > 0.0 && options_.alpha < 1.0)) idlab::config_error("alpha", "alpha must lie in (0, 1)");
    if (options_.comparisons < 1) idlab::config_error("comparisons", "comparisons must be at least 1");

    if (target_.empty()) idlab::config_error("target", "target names no field");
    if (target_ == "features") idlab::config_error("target", "'features' is the encoder's output, not a label field");
    const idlab_field_desc_t* field = ctx.find_field(target_);
    if (ctx.raw().field_count > 0 && !field)
        idlab::config_error("target", "the data provides no field '" + target_ + "'");
    if (field && (field->dtype != IDLAB_DTYPE_I64 || field->width != 0))
        idlab::config_error("target", "field '" + target_ + "' is not an i64 value per sample");
    inputs_ = {"features", target_};
    values_ = {"logistic_accuracy_" + target_, "logistic_accuracy_std_" + target_, "logistic_p_value_" + target_,
               "logistic_significant_" + target_};
}

void LogisticProbe::evaluate(const idlab_exec_ctx_t& ctx, const idlab::TensorSet& inputs, double* values) {
    const DLTensor& ft = inputs.get("features");
    core::require_float_matrix(ft, "features", -1, -1);
    const int64_t n = ft.shape[0];
    const int64_t p = ft.shape[1];
    if (p < 1) idlab::argument_error(std::string(kId) + ": the features have no columns");
    const DLTensor& tt = inputs.get(target_);
    idlab::require_tensor(tt, target_.c_str(), IDLAB_DTYPE_I64, n, 0);
    const int64_t* target = idlab::data_of<int64_t>(tt);

    std::vector<uint8_t> labels(static_cast<size_t>(n));
    if (above_mean_) {
        double mean = 0.0;
        for (int64_t i = 0; i < n; ++i) mean += static_cast<double>(target[i]);
        mean /= static_cast<double>(n);
        for (int64_t i = 0; i < n; ++i) labels[i] = static_cast<double>(target[i]) > mean ? 1 : 0;
    } else {
        for (int64_t i = 0; i < n; ++i) {
            if (target[i] != 0 && target[i] != 1)
                idlab::argument_error(std::string(kId) + ": target '" + target_ + "' is " +
                                      std::to_string(target[i]) + " at row " + std::to_string(i) +
                                      "; it must be 0 or 1 (binarize = \"above_mean\" splits other values at "
                                      "their mean)");
            labels[i] = static_cast<uint8_t>(target[i]);
        }
    }
    int64_t positives = 0;
    for (uint8_t v : labels) positives += v;
    if (positives < 2 || n - positives < 2)
        idlab::argument_error(std::string(kId) + ": target '" + target_ + "' has " + std::to_string(n - positives) +
                              " rows of class 0 and " + std::to_string(positives) + " of class 1 among the " +
                              std::to_string(n) + " evaluation samples; each class needs at least 2");

    std::vector<double> x;
    core::copy_finite(ft, kId, "features", x);
    const LogisticProbeResult r = logistic_probe(std::move(x), labels, n, p, options_, ctx.rng);
    values[0] = r.mean;
    values[1] = r.stddev;
    values[2] = r.p_value;
    values[3] = r.significant ? 1.0 : 0.0;
}

}  // namespace idlab::probes
