// `idlab report DIR [DIR ...] [--out OUT]`: tables (Markdown, CSV), SVG plots and index.html
// from sweep folders or any folders of run folders.
#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "report/report_files.hpp"
#include "sweep/axes.hpp"

#include <cstdio>
#include <filesystem>

namespace idlab::host {
namespace fs = std::filesystem;

namespace {

const char* kReportHelp =
    "usage: idlab report DIR [DIR ...] [--out OUT] [--percent WORDS]\n"
    "\n"
    "Summarises sweep folders (idlab sweep), or any folders of run folders: mean ± std over\n"
    "seeds per configuration as Markdown and CSV tables laid out like the paper's Tables 2\n"
    "and 3, SVG plots (every value against step, one line per configuration; the grid of a\n"
    "sweep's first two axes as heatmaps, like Fig. 5), and index.html showing it all.\n"
    "\n"
    "Writes to OUT (default DIR/report for one folder; needed for several):\n"
    "  table.md       rows: configurations named by their axis values; columns: the axes,\n"
    "                 the seeds, then each metric value as mean±std of the last evaluation\n"
    "  table.csv      one row per configuration and value: n, mean, std, min, max (on the\n"
    "                 run's own scale, exact), and the text the table shows\n"
    "  heatmap-*.svg  the grids;  curves-*.svg  values against step (band: ± std)\n"
    "  index.html     everything on one self-contained page (open it in a browser)\n"
    "\n"
    "Values with r2, mcc or accuracy as a '_'-separated part of their name are fractions,\n"
    "shown as the paper does: the mean in percent, ± the std over seeds on the 0-1 scale\n"
    "(98.6±0.01). --percent WORDS replaces that list (comma-separated; '' for none).\n"
    "Only completed runs count; the others are listed with their state, failed ones with\n"
    "the last lines of their log. A folder without sweep.json is searched for run folders;\n"
    "a trailing seed<N> in a run folder's path names its seed, the rest its configuration.\n"
    "Exit status: 0 written, 1 cannot write, 2 usage or unreadable folders.\n";

}  // namespace

int command_report(int argc, char** argv) {
    std::string usage_error;
    auto args = parse_args(argc, argv, 2, {"--out", "--percent"}, usage_error);
    if (args && args->help) {
        std::fputs(kReportHelp, stdout);
        return EXIT_OK;
    }
    if (args && args->positionals.empty()) usage_error = "expected at least one folder";
    if (args && !args->overrides.empty()) usage_error = "unexpected '" + args->overrides[0] + "'";
    if (args && args->positionals.size() > 1 && args->out_dir.empty())
        usage_error = "several folders need --out OUT";
    if (!args || !usage_error.empty()) {
        std::fprintf(stderr, "idlab report: %s\n%s", usage_error.c_str(), kReportHelp);
        return EXIT_USAGE;
    }
    ReportOptions options;
    for (const std::string& p : args->positionals) options.dirs.emplace_back(p);
    options.out = args->out_dir.empty() ? options.dirs[0] / "report" : fs::path(args->out_dir);
    if (auto words = args->option("--percent")) {
        options.format.percent.clear();
        std::string error;
        if (!words->empty()) {
            auto split = split_axis_values(*words, error);
            if (!split) {
                std::fprintf(stderr, "idlab report: --percent: %s\n", error.c_str());
                return EXIT_USAGE;
            }
            options.format.percent = *split;
        }
    }
    ReportOutcome outcome;
    std::string error;
    if (!write_report(options, outcome, error)) {
        std::fprintf(stderr, "idlab report: %s\n", error.c_str());
        return outcome.write_failed ? EXIT_RUNTIME : EXIT_USAGE;
    }
    std::printf("%zu configuration%s, %zu of %zu runs completed\n", outcome.configurations,
                outcome.configurations == 1 ? "" : "s", outcome.completed, outcome.runs);
    std::printf("wrote %zu files to %s: open %s\n", outcome.files.size(), options.out.string().c_str(),
                (options.out / "index.html").string().c_str());
    return EXIT_OK;
}

}  // namespace idlab::host
