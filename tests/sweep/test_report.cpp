// idlab report's pieces on a hand-made sweep folder: grouping, mean ± std, the paper's units,
// Markdown and CSV layout, heatmaps and curves as well-formed SVG.
#include "report/figures.hpp"
#include "report/html_page.hpp"
#include "report/report_files.hpp"
#include "report/results.hpp"
#include "report/scales.hpp"
#include "report/svg.hpp"
#include "report/table.hpp"
#include "runtime/json.hpp"
#include "sweep/manifest.hpp"

#include "sweep_test_support.hpp"

#include <cmath>
#include <regex>

using namespace idlab::host;
using namespace sweep_test;

namespace {

// A 2 x 2 grid x 3 seeds; linear_r2 = 0.9 + 0.01 seed (+0.05 for kappa 5), sv_mae = 0.1 seed.
// The job "data.kappa=50.0/encoder.hidden=8/seed2" failed.
fs::path make_sweep(const std::string& name) {
    const fs::path dir = scratch(name);
    std::vector<Axis> axes = {{"data.kappa", {"5.0", "50.0"}, false}, {"encoder.hidden", {"[64, 64]", "[8]"}, true}};
    const SweepPlan plan = plan_sweep("grid", "g.toml", {}, axes, 0, 3, 200);
    write_manifest(dir, plan);
    for (const SweepJob& job : plan.jobs) {
        const fs::path run = dir / job.dir;
        if (job.dir == "data.kappa=50.0/encoder.hidden=8/seed2") {
            write(run / "recipe.resolved.toml", "");
            write(run / "summary.json", R"({"status": "failed", "error": "boom"})");
            write(run / kConsoleFile, "== attempt\nerror: metric 'x' failed at step 100: boom\n");
            continue;
        }
        const double r2 = 0.9 + 0.01 * job.seed + (job.values[0].second == "5.0" ? 0.05 : 0.0);
        std::string metrics;
        for (int step : {100, 200}) {
            JsonObject line;
            line.add("step", static_cast<int64_t>(step)).add("loss", 2.0 / step).add("linear_r2", r2 - (200 - step) * 0.001)
                .add("sv_mae", 0.1 * job.seed);
            metrics += line.str() + "\n";
        }
        write(run / "metrics.jsonl", metrics);
        write(run / "summary.json", R"({"status": "completed", "steps": 200, "seconds": 1.5})");
    }
    return dir;
}

// Tags balance: every <x ...> has its </x>, self-closing tags close themselves.
bool well_formed(const std::string& xml) {
    std::vector<std::string> open;
    std::regex tag("<(/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*?(/?)>");
    for (auto it = std::sregex_iterator(xml.begin(), xml.end(), tag); it != std::sregex_iterator(); ++it) {
        const std::smatch& m = *it;
        const std::string name = m[2].str();
        if (name == "meta" && m[3].str().empty()) continue;  // HTML void element
        if (m[1].str() == "/") {
            if (open.empty() || open.back() != name) return false;
            open.pop_back();
        } else if (m[3].str().empty()) {
            open.push_back(name);
        }
    }
    return open.empty();
}

size_t count(const std::string& text, const std::string& what) {
    size_t n = 0;
    for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
    return n;
}

}  // namespace

TEST_CASE("runs group into configurations with mean ± std over the completed seeds", "[sweep][report]") {
    const fs::path dir = make_sweep("report-table");
    ReportData data;
    std::string error;
    REQUIRE(collect_results({dir}, data, error));
    REQUIRE(data.configurations.size() == 4);
    CHECK(data.runs.size() == 12);
    CHECK(data.axis_keys == std::vector<std::string>{"data.kappa", "encoder.hidden"});
    CHECK(data.value_names == std::vector<std::string>{"linear_r2", "sv_mae"});
    CHECK(data.configurations[1].name == "data.kappa=5.0, encoder.hidden=[8]");

    const ReportTable table = build_table(data);
    REQUIRE(table.rows.size() == 4);
    CHECK(table.key_columns == std::vector<std::string>{"data.kappa", "encoder.hidden"});
    CHECK(table.keys[0] == std::vector<std::string>{"5.0", "[64, 64]"});
    const Spread& r2 = table.rows[0].cells[0];
    CHECK(r2.n == 3);
    CHECK(r2.mean == Approx(0.96));
    CHECK(r2.std == Approx(0.01));  // sample std of 0.95, 0.96, 0.97
    CHECK(table.rows[3].completed == 2);
    CHECK(table.rows[3].planned == 3);
    CHECK(seeds_text(table.rows[3]) == "2 of 3");
    CHECK(table.rows[3].cells[0].mean == Approx(0.905));

    ValueFormat format;
    CHECK(format.cell("linear_r2", r2) == "96.0±0.01");
    CHECK(format.cell("sv_mae", table.rows[0].cells[1]) == "0.100±0.100");
    Spread one;
    one.n = 1;
    one.mean = 0.5;
    CHECK(format.cell("head_r2_o", one) == "50.0");
    CHECK(format.cell("linear_r2", Spread{}) == "–");
    CHECK(format.is_percent("linear_r2_o"));
    CHECK(format.is_percent("mcc"));
    CHECK_FALSE(format.is_percent("head_sv_mae"));
    CHECK_FALSE(format.is_percent("r2d2"));

    const std::string md = markdown_table(table, format);
    CHECK_THAT(md, Catch::StartsWith("| data.kappa | encoder.hidden | seeds | linear_r2 (%) | sv_mae |\n|---|---|---|---|---|\n"));
    CHECK_THAT(md, Catch::Contains("| 5.0 | [64, 64] | 3 | 96.0±0.01 | 0.100±0.100 |"));
    CHECK_THAT(md, Catch::Contains("| 50.0 | [8] | 2 of 3 | 90.5±0.01 | 0.050±0.071 |"));

    const std::string csv = csv_table(data, table, format);
    CHECK(count(csv, "\n") == 1 + 4 * 2);
    CHECK_THAT(csv, Catch::StartsWith("sweep,configuration,data.kappa,encoder.hidden,value,n,mean,std,min,max,shown\n"));
    CHECK_THAT(csv, Catch::Contains("grid,\"data.kappa=5.0, encoder.hidden=[64, 64]\",5.0,\"[64, 64]\",linear_r2,3,0.9"));
    CHECK_THAT(csv, Catch::Contains(",96.0±0.01\n"));
}

TEST_CASE("a folder of run folders without a manifest groups by path, seed<N> naming the seed", "[sweep][report]") {
    const fs::path dir = scratch("report-plain");
    for (const char* run : {"table3-default/seed0", "table3-default/seed1", "table3-k10/seed0"}) {
        write(dir / run / "metrics.jsonl", "{\"step\": 10, \"loss\": 1, \"linear_r2\": 0.5}\n");
        write(dir / run / "summary.json", "{\"steps\": 10, \"interrupted\": false}");
    }
    ReportData data;
    std::string error;
    REQUIRE(collect_results({dir}, data, error));
    REQUIRE(data.configurations.size() == 2);
    CHECK(data.configurations[0].name == "table3-default");
    CHECK(data.configurations[0].runs.size() == 2);
    CHECK(data.runs[1].seed == 1);
    const ReportTable table = build_table(data);
    CHECK(table.key_columns == std::vector<std::string>{"configuration"});
    CHECK(table.keys[1] == std::vector<std::string>{"table3-k10"});

    // Sweep folders below a plain folder are read as sweeps.
    make_sweep("report-plain/nested");
    data = ReportData{};
    REQUIRE(collect_results({dir}, data, error));
    REQUIRE(data.sweeps.size() == 2);
    CHECK(data.sweeps[0].name == "grid");
    CHECK(data.sweeps[1].name == "report-plain");
    CHECK(data.configurations.size() == 4 + 2);
    CHECK(build_table(data).key_columns ==
          std::vector<std::string>{"sweep", "data.kappa", "encoder.hidden", "configuration"});

    // Two sweeps of one recipe are told apart by their folders.
    make_sweep("report-plain/nested2");
    data = ReportData{};
    REQUIRE(collect_results({dir}, data, error));
    REQUIRE(data.sweeps.size() == 3);
    CHECK(data.sweeps[0].name == "grid (nested)");
    CHECK(data.configurations[0].sweep == "grid (nested)");
    CHECK(data.sweeps[1].name == "grid (nested2)");

    CHECK_FALSE(collect_results({scratch("report-empty")}, data, error));
    CHECK_THAT(error, Catch::Contains("no run folders"));
}

TEST_CASE("a resumed run's repeated evaluations count once, the last one winning", "[sweep][report]") {
    const fs::path dir = scratch("report-resumed");
    write(dir / "seed0" / "metrics.jsonl",
          "{\"step\": 100, \"linear_r2\": 0.1}\n{\"step\": 200, \"linear_r2\": 0.2}\n{\"step\": 200, \"linear_r2\": 0.25}\n"
          "{\"step\": 300, \"linear_r2\"");  // a line cut short by a kill
    write(dir / "seed0" / "summary.json", "{\"status\": \"completed\"}");
    ReportData data;
    std::string error;
    REQUIRE(collect_results({dir}, data, error));
    REQUIRE(data.runs.size() == 1);
    CHECK(data.runs[0].curves.at("linear_r2").size() == 2);
    CHECK(data.runs[0].curves.at("linear_r2").at(200) == 0.25);
    CHECK(data.runs[0].final_values == std::vector<std::pair<std::string, double>>{{"linear_r2", 0.25}});
}

TEST_CASE("figures: a heatmap per value for a two-axis grid, curves per value, valid SVG", "[sweep][report]") {
    const fs::path dir = make_sweep("report-figures");
    ReportData data;
    std::string error;
    REQUIRE(collect_results({dir}, data, error));
    const ReportTable table = build_table(data);
    const ValueFormat format;
    const std::vector<Figure> figures = report_figures(data, table, format);
    std::vector<std::string> files;
    for (const Figure& f : figures) {
        files.push_back(f.file);
        INFO(f.file);
        CHECK(well_formed(f.svg));
        CHECK_THAT(f.svg, Catch::StartsWith("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    }
    CHECK(files == std::vector<std::string>{"heatmap-linear_r2.svg", "heatmap-sv_mae.svg", "curves-linear_r2.svg",
                                            "curves-sv_mae.svg", "curves-loss.svg"});
    const std::string& heat = figures[0].svg;
    CHECK_THAT(heat, Catch::Contains(">96.0±0.01</text>") && Catch::Contains(">90.5±0.01</text>"));
    CHECK(count(heat, "<title>data.kappa=") == 4);  // one tooltip per cell
    const std::string& curve = figures[2].svg;
    CHECK(count(curve, "<polyline") == 4);  // one line per configuration
    CHECK(count(curve, "<polygon") == 4);   // and its ± std band

    // A third axis gives one heatmap per value of it.
    SweepSource three = data.sweeps[0];
    three.axes.push_back("train.lr");
    three.axis_values.push_back({"0.1", "0.01"});
    data.sweeps[0] = three;
    for (Configuration& c : data.configurations) c.values.emplace_back("train.lr", "0.1");
    const std::vector<Figure> sliced = report_figures(data, table, format);
    CHECK(sliced[0].file == "heatmap-linear_r2-train.lr_0.1.svg");
    CHECK_THAT(sliced[0].title, Catch::EndsWith("at train.lr=0.1"));
}

TEST_CASE("index.html holds the table, the figures inline and the failed runs", "[sweep][report]") {
    const fs::path dir = make_sweep("report-files");
    ReportOptions options;
    options.dirs = {dir};
    options.out = dir / "report";
    ReportOutcome outcome;
    std::string error;
    REQUIRE(write_report(options, outcome, error));
    CHECK(outcome.runs == 12);
    CHECK(outcome.completed == 11);
    CHECK(outcome.configurations == 4);
    for (const char* f : {"table.md", "table.csv", "index.html", "heatmap-linear_r2.svg", "curves-loss.svg"})
        CHECK(fs::exists(options.out / f));
    const std::string html = read(options.out / "index.html");
    CHECK(well_formed(html));
    CHECK(count(html, "<tr>") == 5);
    CHECK(count(html, "<svg ") == 5);
    CHECK_THAT(html, Catch::Contains("failed at step 100: boom") && Catch::Contains("encoder.hidden=8/seed2"));
    const std::string md = read(options.out / "table.md");
    CHECK_THAT(md, Catch::Contains("## Runs not in the table") && Catch::Contains("failed: grid/data.kappa=50.0"));
}

TEST_CASE("svg: escaping, nice ticks and the colour ramp", "[sweep][report]") {
    CHECK(xml_escape("a<b & \"c\" 'd'>") == "a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;");
    CHECK(svg_number(1.25) == "1.25");
    CHECK(svg_number(3.0) == "3");
    CHECK(svg_number(2.50) == "2.5");
    CHECK(svg_number(-0.0001) == "0");
    Svg svg(100, 50, "t<1>");
    svg.text(1, 2, "x & y");
    CHECK_THAT(svg.str(), Catch::Contains("<title>t&lt;1&gt;</title>") && Catch::Contains(">x &amp; y</text>"));

    Ticks t = nice_ticks(0.13, 0.97, 5);
    CHECK(t.low <= 0.13);
    CHECK(t.high >= 0.97);
    CHECK(t.values.size() >= 4);
    CHECK(t.values.size() <= 8);
    for (size_t i = 1; i < t.values.size(); ++i) CHECK(t.values[i] - t.values[i - 1] == Approx(0.2));
    Ticks flat = nice_ticks(5, 5, 5);
    CHECK(flat.low < 5);
    CHECK(flat.high > 5);
    CHECK(tick_label(0.30000000000000004) == "0.3");

    CHECK(ramp_color(0) == "#440154");
    CHECK(ramp_color(1) == "#fde725");
    CHECK(ramp_is_dark(0));
    CHECK_FALSE(ramp_is_dark(1));
    CHECK(category_color(0) == category_color(10));
}
