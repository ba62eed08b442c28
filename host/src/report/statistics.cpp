#include "report/statistics.hpp"

#include <algorithm>
#include <cmath>

namespace idlab::host {

Spread spread_of(const std::vector<double>& values) {
    Spread s;
    double sum = 0.0;
    for (double v : values) {
        if (!std::isfinite(v)) continue;
        if (s.n == 0) s.min = s.max = v;
        s.min = std::min(s.min, v);
        s.max = std::max(s.max, v);
        sum += v;
        ++s.n;
    }
    if (s.n == 0) return s;
    s.mean = sum / static_cast<double>(s.n);
    if (s.n > 1) {
        double squares = 0.0;  // two passes: no cancellation for values close together
        for (double v : values)
            if (std::isfinite(v)) squares += (v - s.mean) * (v - s.mean);
        s.std = std::sqrt(squares / static_cast<double>(s.n - 1));
    }
    return s;
}

}  // namespace idlab::host
