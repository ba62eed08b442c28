// The generic training-protocol keys of [train], checked against the pipeline before the first
// step: train.checkpoint_every, train.keep_best and train.stop_metric / train.stop_above. They
// name metric values ("linear_r2"), never components.
#pragma once

#include "recipe/recipe.hpp"
#include "runtime/evaluation.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace idlab::host {

struct TrainProtocol {
    int64_t checkpoint_every = 0;  // 0: only at SIGINT/SIGTERM and at the end
    std::string keep_best;         // value name, "" off
    std::string stop_metric;       // value name, "" off
    double stop_above = 0.0;

    // Reads and checks the keys; throws WiringError at the key when a name is not one of
    // `value_names` or stop_metric and stop_above come without each other.
    static TrainProtocol from(const StageConfig& train, const std::vector<std::string>& value_names);

    // Whether `e` beats the best evaluation so far (`best`, null for none) in keep_best.
    bool improves(const Evaluation& e, const Evaluation* best) const;
    // Whether the run stops after `e`.
    bool stops(const Evaluation& e) const;
};

// The value named `name` in `e`, or NaN.
double value_of(const Evaluation& e, const std::string& name);

}  // namespace idlab::host
