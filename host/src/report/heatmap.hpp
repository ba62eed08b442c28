// A heatmap as SVG: one cell per pair of axis values (the paper's Fig. 5 grids), coloured by
// the mean over seeds and labelled with mean ± std as the table shows it.
#pragma once

#include "report/statistics.hpp"
#include "report/value_format.hpp"

#include <string>
#include <vector>

namespace idlab::host {

struct HeatmapInput {
    std::string title;
    std::string value_name;
    std::string row_key, column_key;
    std::vector<std::string> row_labels, column_labels;
    std::vector<std::vector<Spread>> cells;  // [row][column]
};

std::string heatmap_svg(const HeatmapInput& input, const ValueFormat& format);

}  // namespace idlab::host
