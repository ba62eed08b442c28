// What one evaluation of a run produced: the step, the mean training loss since the previous
// evaluation, and every metric value by name (the columns of one metrics.jsonl line).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace idlab::host {

using NamedValues = std::vector<std::pair<std::string, double>>;

struct Evaluation {
    int64_t step = 0;          // optimizer steps taken before this evaluation
    double train_loss = 0.0;   // mean training loss over the steps since the previous evaluation
    NamedValues values;        // every metric value, keyed by value name
};

}  // namespace idlab::host
