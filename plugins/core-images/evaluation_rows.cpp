#include "evaluation_rows.hpp"

#include <idlab/philox.hpp>

#include <stdexcept>

namespace idlab::images {

namespace {

// PhiloxStream::for_setup purposes of the three parts' orders (the split itself uses 0x5B117).
constexpr uint32_t kPurposeEvalOrder[3] = {0x5B118, 0x5B119, 0x5B11A};

// The first `n` of a seeded random permutation of `rows` (n < 0: all of them).
std::vector<int64_t> random_subset(const std::vector<int64_t>& rows, int64_t n, uint64_t seed, uint32_t purpose) {
    std::vector<int64_t> order = rows;
    const int64_t count = static_cast<int64_t>(order.size());
    const int64_t take = n < 0 || n > count ? count : n;
    idlab::PhiloxStream rng = idlab::PhiloxStream::for_setup(seed, purpose);
    // A partial Fisher-Yates shuffle from the front: the first `take` are a uniform sample in
    // uniform order.
    for (int64_t i = 0; i < take; ++i) {
        const int64_t j = i + static_cast<int64_t>(rng.uniform_index(static_cast<uint64_t>(count - i)));
        std::swap(order[static_cast<size_t>(i)], order[static_cast<size_t>(j)]);
    }
    order.resize(static_cast<size_t>(take));
    return order;
}

}  // namespace

std::string EvaluationRows::describe() const {
    std::string s;
    auto part = [&](int64_t n, const char* name) {
        if (n == 0) return;
        s += (s.empty() ? "" : " + ") + std::to_string(n) + " " + name;
    };
    part(train, "train");
    part(val, "val");
    part(test, "test");
    return s.empty() ? "no images" : s;
}

EvaluationRows make_evaluation_rows(const DatasetSplit& split, const EvaluationOptions& options, uint64_t seed) {
    const bool val = options.splits == "val" || options.splits == "val+test";
    const bool test = options.splits == "test" || options.splits == "val+test";
    if (!val && !test) throw std::invalid_argument("eval_split must be \"val\", \"test\" or \"val+test\"");
    if (options.train_rows < -1) throw std::invalid_argument("eval_train_rows must be >= -1");
    if (options.rows_per_split < -1 || options.rows_per_split == 0)
        throw std::invalid_argument("eval_rows_per_split must be -1 or >= 1");

    EvaluationRows rows;
    auto append = [&](const std::vector<int64_t>& part, SplitCode code) {
        rows.image.insert(rows.image.end(), part.begin(), part.end());
        rows.split.insert(rows.split.end(), part.size(), code);
        return static_cast<int64_t>(part.size());
    };
    if (options.train_rows != 0)
        rows.train = append(random_subset(split.train, options.train_rows, seed, kPurposeEvalOrder[0]), kTrainSplit);
    if (val) rows.val = append(random_subset(split.val, options.rows_per_split, seed, kPurposeEvalOrder[1]), kValSplit);
    if (test)
        rows.test = append(random_subset(split.test, options.rows_per_split, seed, kPurposeEvalOrder[2]), kTestSplit);
    return rows;
}

std::vector<idlab::Param> evaluation_params() {
    return {
        idlab::Param::string("eval_split", "\"val\"",
                             "held-out split(s) the evaluation reads after the training rows: val, test or "
                             "val+test (rows carry their part in the field 'split': 0 train, 1 val, 2 test)")
            .one_of("val|test|val+test"),
        idlab::Param::integer("eval_train_rows", "0",
                              "training images the evaluation reads first (a fixed random subset), for probes "
                              "that fit on training images; -1: the whole training split")
            .at_least(-1),
        idlab::Param::integer("eval_rows_per_split", "-1",
                              "at most this many images of each held-out split (a fixed random subset); -1: all")
            .at_least(-1),
    };
}

EvaluationOptions evaluation_options(const idlab::Config& config) {
    EvaluationOptions o;
    o.splits = config.get_string("eval_split");
    o.train_rows = config.get_int("eval_train_rows");
    o.rows_per_split = config.get_int("eval_rows_per_split");
    if (o.splits != "val" && o.splits != "test" && o.splits != "val+test")
        idlab::config_error("eval_split", "eval_split must be \"val\", \"test\" or \"val+test\", got \"" + o.splits + "\"");
    if (o.train_rows < -1)
        idlab::config_error("eval_train_rows", "eval_train_rows must be -1 (all) or >= 0, got " + std::to_string(o.train_rows));
    if (o.rows_per_split < -1 || o.rows_per_split == 0)
        idlab::config_error("eval_rows_per_split",
                            "eval_rows_per_split must be -1 (all) or >= 1, got " + std::to_string(o.rows_per_split));
    return o;
}

}  // namespace idlab::images
