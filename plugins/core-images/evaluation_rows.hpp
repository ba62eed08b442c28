// What the evaluation stream of an image dataset reads: a fixed sequence of images drawn once
// from the seeded split, in three consecutive parts,
//     [eval_train_rows training images] [validation images] [test images]
// (the held-out parts as `eval_split` names them: "val", "test" or "val+test"; each capped at
// eval_rows_per_split). Every part is a seeded random subset in random order, so any prefix of
// the sequence, or of a part, is a uniform sample, and a probe that splits its rows in order
// never fits on one corner of the factor grid and scores on another. Each row carries its part
// in the `split` field (0 train, 1 val, 2 test), so metrics can fit on one part and score on
// another: the DisLib protocol fits its readout on training images and scores it on held-out
// ones, and selects checkpoints by the validation accuracy alone.
#pragma once

#include "dataset_split.hpp"

#include <idlab/plugin.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace idlab::images {

// The values of the `split` field.
enum SplitCode : int64_t { kTrainSplit = 0, kValSplit = 1, kTestSplit = 2 };

struct EvaluationOptions {
    std::string splits = "val";   // "val", "test" or "val+test"
    int64_t train_rows = 0;       // training images first; -1: the whole training split
    int64_t rows_per_split = -1;  // at most this many of each held-out split; -1: all of it
};

struct EvaluationRows {
    std::vector<int64_t> image;  // the image of each evaluation row
    std::vector<int64_t> split;  // its SplitCode
    int64_t train = 0, val = 0, test = 0;  // rows of each part

    int64_t size() const { return static_cast<int64_t>(image.size()); }
    // "1756 val" or "14056 train + 1756 val + 1756 test".
    std::string describe() const;
};

// Throws std::invalid_argument for options outside their ranges.
EvaluationRows make_evaluation_rows(const DatasetSplit& split, const EvaluationOptions& options, uint64_t seed);

// The parameters every image dataset takes for its evaluation stream, and reading them.
std::vector<idlab::Param> evaluation_params();
EvaluationOptions evaluation_options(const idlab::Config& config);

}  // namespace idlab::images
