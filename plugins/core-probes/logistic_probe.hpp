// core.logistic_probe: whether a binary factor can be decoded linearly from the features better
// than chance, by the ImageNet-X protocol of the paper (§4.3, Fig. 3; the reference
// imagenetx/decode.py and its plots):
//   1. over all evaluation rows, drop the features whose mean is <= 0 ("dead" units) and z-score
//      the rest (both on by default, as the reference does; switchable);
//   2. the target field (i64, one value per row) must hold 0/1, or is binarised as
//      value > mean(value) (binarize = "above_mean", the reference's rule for "class");
//   3. repeated `repeats` times: a stratified train/test split (test_fraction, 70/30 by
//      default), each part sub-sampled to equal class counts (balanced_split.hpp), an
//      L2-regularised logistic regression fitted on train (logistic_regression.hpp: sklearn's
//      objective with C, solved by Newton's method), accuracy on test;
//   4. a two-sided one-sample t-test of the accuracies against 0.5 (student_t.hpp), significant
//      when p < alpha / comparisons (Bonferroni; 0.05 / 85 = 17 factors x 5 models in the paper).
// Values, named after the target so that one recipe can probe many (ImageNet-X has 17):
// logistic_accuracy_<target> (mean), logistic_accuracy_std_<target> (sample std, n - 1),
// logistic_p_value_<target>, logistic_significant_<target> (1 or 0).
//
// Randomness: repeat r orders the rows of each class by the r-th 64-bit word of row i's Philox
// sequence (PhiloxStream::for_sample(rng, i)), where rng is ctx.rng with its stream replaced by
// kRngStream: keyed by the run seed and the evaluation's counter, but independent of the
// sequences the data component used to draw the same evaluation rows.
#pragma once

#include <idlab/plugin.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace idlab::probes {

struct LogisticProbeOptions {
    double test_fraction = 0.3;
    int64_t repeats = 10;
    double C = 1.0;
    double alpha = 0.05;
    int64_t comparisons = 85;
    bool drop_dead_features = true;
    bool standardize = true;
};

struct LogisticProbeResult {
    std::vector<double> accuracies;  // one per repeat
    double mean = 0.0;
    double stddev = 0.0;
    double p_value = 1.0;
    bool significant = false;
    int64_t features_used = 0;       // after dropping dead ones
    int64_t train_rows = 0;          // per repeat, both classes together
    int64_t test_rows = 0;
};

// The protocol on x [n, p] (row-major) and labels [n] in {0, 1}; `rng` seeds the splits.
LogisticProbeResult logistic_probe(std::vector<double> x, const std::vector<uint8_t>& labels, int64_t n,
                                   int64_t p, const LogisticProbeOptions& options, const idlab_rng_t& rng);

class LogisticProbe final : public idlab::Metric {
public:
    static constexpr const char* kId = "core.logistic_probe";
    // The Philox stream of the probe's splits: one that no host stage uses ('L' 'P').
    static constexpr uint64_t kRngStream = 0x4C50;
    // The Newton solver stores a (p + 1)^2 Hessian: beyond this many features, project first.
    static constexpr int64_t kMaxFeatures = 8192;
    static idlab::ComponentSpec spec();

    LogisticProbe(const idlab::CreateContext& ctx, const idlab::Config& config);

    const std::vector<std::string>& inputs() const override { return inputs_; }
    const std::vector<std::string>& values() const override { return values_; }
    void evaluate(const idlab_exec_ctx_t& ctx, const idlab::TensorSet& inputs, double* values) override;

private:
    std::string target_;
    bool above_mean_;  // binarize = "above_mean"
    LogisticProbeOptions options_;
    std::vector<std::string> inputs_;
    std::vector<std::string> values_;  // logistic_<value>_<target>
};

}  // namespace idlab::probes
