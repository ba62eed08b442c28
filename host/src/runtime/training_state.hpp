// The trainer's own counters: with the components' parameters and state tensors, everything a
// run needs to go on from a step boundary as if it had never stopped. A checkpoint stores it.
#pragma once

#include "runtime/evaluation.hpp"

#include <cstdint>
#include <vector>

namespace idlab::host {

struct TrainingState {
    int64_t step = 0;            // optimizer steps taken; also the RNG counter of the next batch
    uint64_t eval_index = 1;     // RNG counter of the next evaluation (0 scored the baseline)
    double loss_sum = 0.0;       // training losses since the last evaluation, summed in order
    int64_t loss_count = 0;      // and how many
    bool finished = false;       // every step taken, or stopped early: nothing left to train
    bool stopped_early = false;  // train.stop_metric exceeded train.stop_above
    int64_t best = -1;           // train.keep_best: index of the best evaluation so far, -1: none
    NamedValues baseline;        // the metrics with features = x (evaluation 0)
    std::vector<Evaluation> evaluations;  // every scheduled evaluation so far, in order
    // Wall time over every part of the run so far (informative only, never compared).
    double seconds = 0.0, train_seconds = 0.0, checkpoint_seconds = 0.0;
};

}  // namespace idlab::host
