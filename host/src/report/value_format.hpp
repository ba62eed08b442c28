// How a report shows a value: scores that are fractions (R², MCC, accuracy) as the paper does,
// the mean in percent and the ± (standard deviation over seeds) on the 0-1 scale, "98.6±0.01";
// everything else as is, "0.012±0.003". Which values are fractions goes by name: a value whose
// name has one of the `percent` words as a '_'-separated part (linear_r2_o, head_r2, mcc).
#pragma once

#include "report/statistics.hpp"

#include <string>
#include <vector>

namespace idlab::host {

struct ValueFormat {
    std::vector<std::string> percent = {"r2", "mcc", "accuracy"};

    bool is_percent(const std::string& value_name) const;
    // "98.6±0.01" (n > 1), "98.6" (n = 1), "–" (n = 0).
    std::string cell(const std::string& value_name, const Spread& s) const;
    // A plotted number: percent values times 100.
    double plotted(const std::string& value_name, double v) const;
    // "linear_r2 (%)" for a percent value, else the name.
    std::string axis_label(const std::string& value_name) const;
};

// The shortest text that reads back to the same double (for CSV).
std::string exact_number(double v);

}  // namespace idlab::host
