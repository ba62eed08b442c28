// A line chart as SVG: one line per series (the mean over seeds at each step) with a shaded
// band for ± one standard deviation where there are several seeds, and a legend.
#pragma once

#include <string>
#include <vector>

namespace idlab::host {

struct Series {
    std::string label;
    std::vector<double> x, mean, low, high;  // low/high: the band (equal to mean: no band)
};

std::string line_chart_svg(const std::string& title, const std::string& x_label, const std::string& y_label,
                           const std::vector<Series>& series);

}  // namespace idlab::host
