#include "report/figures.hpp"

#include "report/heatmap.hpp"
#include "report/line_chart.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace idlab::host {

std::string file_safe(const std::string& s) {
    std::string out;
    for (char c : s)
        out += (isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_') ? c : '_';
    return out.empty() ? "_" : out;
}

namespace {

std::vector<std::string> curve_names(const ReportData& data) {
    std::vector<std::string> names = data.value_names;
    bool loss = false;
    for (const RunResult& r : data.runs) loss = loss || r.curves.count("loss");
    if (loss) names.push_back("loss");
    return names;
}

Series series_of(const ReportData& data, const Configuration& config, const std::string& name,
                 const ValueFormat& format) {
    Series s;
    s.label = data.sweeps.size() > 1 ? config.sweep + ": " + config.name : config.name;
    std::map<int64_t, std::vector<double>> by_step;
    for (size_t r : config.runs) {
        const RunResult& run = data.runs[r];
        if (run.status.state != JobState::Done) continue;
        auto it = run.curves.find(name);
        if (it == run.curves.end()) continue;
        for (const auto& [step, v] : it->second) by_step[step].push_back(format.plotted(name, v));
    }
    for (const auto& [step, values] : by_step) {
        const Spread sp = spread_of(values);
        if (sp.n == 0) continue;
        s.x.push_back(static_cast<double>(step));
        s.mean.push_back(sp.mean);
        s.low.push_back(sp.mean - sp.std);
        s.high.push_back(sp.mean + sp.std);
    }
    return s;
}

void add_heatmaps(const ReportData& data, const ReportTable& table, const SweepSource& sweep,
                  const ValueFormat& format, std::vector<Figure>& figures) {
    std::vector<size_t> axes;  // the sweep's axes with several values
    for (size_t a = 0; a < sweep.axes.size(); ++a)
        if (sweep.axis_values[a].size() > 1) axes.push_back(a);
    if (axes.size() < 2) return;
    const size_t ra = axes[0], ca = axes[1];
    const std::vector<size_t> rest(axes.begin() + 2, axes.end());

    // Which table row holds each configuration of this sweep.
    std::map<size_t, size_t> row_of;
    for (size_t r = 0; r < table.rows.size(); ++r) row_of[table.rows[r].configuration] = r;
    auto value_of = [&](const Configuration& c, const std::string& key) -> std::string {
        for (const auto& [k, v] : c.values)
            if (k == key) return v;
        return "";
    };

    // Every combination of the further axes: one heatmap each.
    size_t slices = 1;
    for (size_t a : rest) slices *= sweep.axis_values[a].size();
    for (size_t slice = 0; slice < slices; ++slice) {
        std::vector<std::pair<std::string, std::string>> fixed;
        size_t rem = slice;
        for (size_t k = rest.size(); k-- > 0;) {
            const auto& values = sweep.axis_values[rest[k]];
            fixed.insert(fixed.begin(), {sweep.axes[rest[k]], values[rem % values.size()]});
            rem /= values.size();
        }
        std::string slice_name, slice_file;
        for (const auto& [k, v] : fixed) {
            slice_name += (slice_name.empty() ? "" : ", ") + k + "=" + display_value(v);
            slice_file += "-" + file_safe(k + "=" + display_value(v));
        }
        for (size_t v = 0; v < data.value_names.size(); ++v) {
            const std::string& name = data.value_names[v];
            HeatmapInput in;
            in.value_name = name;
            in.row_key = sweep.axes[ra];
            in.column_key = sweep.axes[ca];
            for (const std::string& x : sweep.axis_values[ra]) in.row_labels.push_back(display_value(x));
            for (const std::string& x : sweep.axis_values[ca]) in.column_labels.push_back(display_value(x));
            in.cells.assign(in.row_labels.size(), std::vector<Spread>(in.column_labels.size()));
            bool any = false;
            for (size_t c : sweep.configurations) {
                const Configuration& config = data.configurations[c];
                bool match = true;
                for (const auto& [k, x] : fixed) match = match && value_of(config, k) == x;
                if (!match) continue;
                const auto& rv = sweep.axis_values[ra];
                const auto& cv = sweep.axis_values[ca];
                const auto ri = std::find(rv.begin(), rv.end(), value_of(config, sweep.axes[ra])) - rv.begin();
                const auto ci = std::find(cv.begin(), cv.end(), value_of(config, sweep.axes[ca])) - cv.begin();
                if (ri >= static_cast<long>(rv.size()) || ci >= static_cast<long>(cv.size()) || !row_of.count(c))
                    continue;
                in.cells[ri][ci] = table.rows[row_of[c]].cells[v];
                any = any || in.cells[ri][ci].n > 0;
            }
            if (!any) continue;
            in.title = sweep.name + ": " + format.axis_label(name) + (slice_name.empty() ? "" : " at " + slice_name);
            Figure f;
            f.kind = "heatmap";
            f.title = in.title;
            f.file = "heatmap-" + (data.sweeps.size() > 1 ? file_safe(sweep.name) + "-" : "") + file_safe(name) +
                     slice_file + ".svg";
            f.svg = heatmap_svg(in, format);
            figures.push_back(std::move(f));
        }
    }
}

}  // namespace

std::vector<Figure> report_figures(const ReportData& data, const ReportTable& table, const ValueFormat& format) {
    std::vector<Figure> figures;
    for (const SweepSource& sweep : data.sweeps) add_heatmaps(data, table, sweep, format, figures);
    for (const std::string& name : curve_names(data)) {
        std::vector<Series> series;
        for (const Configuration& config : data.configurations) {
            Series s = series_of(data, config, name, format);
            if (!s.x.empty()) series.push_back(std::move(s));
        }
        if (series.empty()) continue;
        Figure f;
        f.kind = "curves";
        f.title = format.axis_label(name) + " against step";
        f.file = "curves-" + file_safe(name) + ".svg";
        f.svg = line_chart_svg(f.title + " (mean over seeds, band: ± std)", "step", format.axis_label(name), series);
        figures.push_back(std::move(f));
    }
    return figures;
}

}  // namespace idlab::host
