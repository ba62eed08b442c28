#include "report/line_chart.hpp"

#include "report/scales.hpp"
#include "report/svg.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace idlab::host {

namespace {
constexpr double kPlotWidth = 460, kPlotHeight = 280;
constexpr double kLeft = 72, kTop = 40, kBottom = 52, kLegendGap = 24, kLegendWidth = 300;
constexpr size_t kLegendChars = 46;

std::string shortened(const std::string& s) {
    return s.size() <= kLegendChars ? s : s.substr(0, kLegendChars - 1) + "…";
}
}  // namespace

std::string line_chart_svg(const std::string& title, const std::string& x_label, const std::string& y_label,
                           const std::vector<Series>& series) {
    double x0 = std::numeric_limits<double>::infinity(), x1 = -x0, y0 = x0, y1 = -x0;
    for (const Series& s : series)
        for (size_t i = 0; i < s.x.size(); ++i) {
            if (!std::isfinite(s.mean[i])) continue;
            x0 = std::min(x0, s.x[i]);
            x1 = std::max(x1, s.x[i]);
            y0 = std::min({y0, s.low[i], s.mean[i]});
            y1 = std::max({y1, s.high[i], s.mean[i]});
        }
    if (!std::isfinite(x0)) x0 = 0, x1 = 1, y0 = 0, y1 = 1;
    const Ticks xt = nice_ticks(std::min(0.0, x0), x1, 5);
    const Ticks yt = nice_ticks(y0, y1, 5);

    const double legend_height = 20.0 * series.size() + 10;
    const double height = std::max(kTop + kPlotHeight + kBottom, kTop + legend_height + 10);
    Svg svg(kLeft + kPlotWidth + kLegendGap + kLegendWidth, height, title);
    auto px = [&](double x) { return kLeft + (x - xt.low) / (xt.high - xt.low) * kPlotWidth; };
    auto py = [&](double y) { return kTop + kPlotHeight - (y - yt.low) / (yt.high - yt.low) * kPlotHeight; };

    svg.text(kLeft, 24, title, 15, "start", "#111", 0, true);
    for (double v : yt.values) {
        svg.line(kLeft, py(v), kLeft + kPlotWidth, py(v), "#e4e4e4");
        svg.text(kLeft - 8, py(v) + 4, tick_label(v), 11, "end", "#444");
    }
    for (double v : xt.values) {
        svg.line(px(v), kTop + kPlotHeight, px(v), kTop + kPlotHeight + 5, "#888");
        svg.text(px(v), kTop + kPlotHeight + 19, tick_label(v), 11, "middle", "#444");
    }
    svg.rect(kLeft, kTop, kPlotWidth, kPlotHeight, "none", "#888");
    svg.text(kLeft + kPlotWidth / 2, kTop + kPlotHeight + 40, x_label, 12, "middle", "#222");
    svg.text(20, kTop + kPlotHeight / 2, y_label, 12, "middle", "#222", -90);

    for (size_t k = 0; k < series.size(); ++k) {
        const Series& s = series[k];
        const std::string color = category_color(k);
        const std::string dash = k >= 10 ? "6 3" : "";  // after ten colours, dashed lines
        std::vector<std::pair<double, double>> band, line;
        for (size_t i = 0; i < s.x.size(); ++i)
            if (std::isfinite(s.mean[i])) line.emplace_back(px(s.x[i]), py(s.mean[i]));
        bool has_band = false;
        for (size_t i = 0; i < s.x.size(); ++i)
            if (std::isfinite(s.high[i])) {
                band.emplace_back(px(s.x[i]), py(s.high[i]));
                has_band = has_band || s.high[i] != s.low[i];
            }
        for (size_t i = s.x.size(); i-- > 0;)
            if (std::isfinite(s.low[i])) band.emplace_back(px(s.x[i]), py(s.low[i]));
        svg.begin_group(s.label);
        if (has_band && band.size() >= 4) svg.polygon(band, color, 0.15);
        if (line.size() == 1) svg.circle(line[0].first, line[0].second, 3, color);
        else svg.polyline(line, color, 1.8, dash);
        svg.end_group();
        const double ly = kTop + 10 + 20.0 * k;
        const double lx = kLeft + kPlotWidth + kLegendGap;
        svg.line(lx, ly - 4, lx + 22, ly - 4, color, 2.5, dash);
        svg.text(lx + 28, ly, shortened(s.label), 11, "start", "#222");
    }
    return svg.str();
}

}  // namespace idlab::host
