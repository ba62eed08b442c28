// The report's figures: for each value (every metric value, then the loss) a chart of its
// mean over seeds against the step, one line per configuration; and for each sweep with two
// or more axes of several values, the grid of the first two as a heatmap per value (one per
// combination of any further axes), as in the paper's Fig. 5.
#pragma once

#include "report/results.hpp"
#include "report/table.hpp"
#include "report/value_format.hpp"

#include <string>
#include <vector>

namespace idlab::host {

struct Figure {
    std::string file;    // "curves-linear_r2.svg"
    std::string title;
    std::string kind;    // "curves" or "heatmap"
    std::string svg;
};

std::vector<Figure> report_figures(const ReportData& data, const ReportTable& table, const ValueFormat& format);

// A file-name-safe form of `s`: letters, digits, '.', '-' and '_' kept, anything else '_'.
std::string file_safe(const std::string& s);

}  // namespace idlab::host
