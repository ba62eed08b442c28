#include "report/heatmap.hpp"

#include "report/scales.hpp"
#include "report/svg.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace idlab::host {

namespace {
constexpr double kCellWidth = 96, kCellHeight = 46, kLeft = 150, kTop = 78, kBarWidth = 16;

std::string shortened(const std::string& s, size_t n) { return s.size() <= n ? s : s.substr(0, n - 1) + "…"; }
}  // namespace

std::string heatmap_svg(const HeatmapInput& in, const ValueFormat& format) {
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (const auto& row : in.cells)
        for (const Spread& s : row)
            if (s.n > 0) {
                lo = std::min(lo, format.plotted(in.value_name, s.mean));
                hi = std::max(hi, format.plotted(in.value_name, s.mean));
            }
    const bool any = std::isfinite(lo);
    auto t_of = [&](double v) { return any && hi > lo ? (v - lo) / (hi - lo) : 0.5; };

    const double grid_w = kCellWidth * in.column_labels.size();
    const double grid_h = kCellHeight * in.row_labels.size();
    const double width = kLeft + grid_w + 40 + kBarWidth + 70;
    const double height = std::max(kTop + grid_h + 30, kTop + 140.0);
    Svg svg(width, height, in.title);
    svg.text(12, 24, in.title, 15, "start", "#111", 0, true);
    svg.text(kLeft + grid_w / 2, kTop - 34, in.column_key, 12, "middle", "#222", 0, true);
    svg.text(12, kTop - 14, in.row_key, 12, "start", "#222", 0, true);
    for (size_t c = 0; c < in.column_labels.size(); ++c)
        svg.text(kLeft + kCellWidth * (c + 0.5), kTop - 12, shortened(in.column_labels[c], 14), 12, "middle", "#333");
    for (size_t r = 0; r < in.row_labels.size(); ++r) {
        const double y = kTop + kCellHeight * r;
        svg.text(kLeft - 10, y + kCellHeight / 2 + 4, shortened(in.row_labels[r], 20), 12, "end", "#333");
        for (size_t c = 0; c < in.column_labels.size(); ++c) {
            const double x = kLeft + kCellWidth * c;
            const Spread& s = in.cells[r][c];
            const std::string text = format.cell(in.value_name, s);
            svg.begin_group(in.row_key + "=" + in.row_labels[r] + ", " + in.column_key + "=" + in.column_labels[c] +
                            ": " + text + " (" + std::to_string(s.n) + " seed" + (s.n == 1 ? "" : "s") + ")");
            if (s.n == 0) {
                svg.rect(x, y, kCellWidth, kCellHeight, "#eeeeee", "white");
                svg.text(x + kCellWidth / 2, y + kCellHeight / 2 + 4, "–", 12, "middle", "#777");
            } else {
                const double t = t_of(format.plotted(in.value_name, s.mean));
                svg.rect(x, y, kCellWidth, kCellHeight, ramp_color(t), "white");
                svg.text(x + kCellWidth / 2, y + kCellHeight / 2 + 4, text, 12, "middle",
                         ramp_is_dark(t) ? "white" : "#111");
            }
            svg.end_group();
        }
    }
    // The colour bar, low at the bottom.
    const double bx = kLeft + grid_w + 40, bar_h = std::max(grid_h, 100.0);
    for (int i = 0; i < 20; ++i) {
        const double t = 1.0 - (i + 0.5) / 20.0;
        svg.rect(bx, kTop + bar_h * i / 20.0, kBarWidth, bar_h / 20.0 + 0.5, ramp_color(t));
    }
    svg.rect(bx, kTop, kBarWidth, bar_h, "none", "#888");
    if (any) {
        auto label = [](double v) {
            char buf[32];
            std::snprintf(buf, sizeof(buf), "%.4g", v);
            return std::string(buf);
        };
        svg.text(bx + kBarWidth + 6, kTop + 10, label(hi), 11, "start", "#333");
        svg.text(bx + kBarWidth + 6, kTop + bar_h, label(lo), 11, "start", "#333");
    }
    svg.text(bx + kBarWidth / 2, kTop - 12, format.is_percent(in.value_name) ? "%" : "", 11, "middle", "#333");
    return svg.str();
}

}  // namespace idlab::host
