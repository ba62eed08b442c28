// Mean and spread over seeds: what each cell of a report's table holds.
#pragma once

#include <cstddef>
#include <vector>

namespace idlab::host {

struct Spread {
    size_t n = 0;
    double mean = 0.0;
    double std = 0.0;   // sample standard deviation (n - 1); 0 for a single value
    double min = 0.0, max = 0.0;
};

// Over the finite values; n = 0 when there are none.
Spread spread_of(const std::vector<double>& values);

}  // namespace idlab::host
