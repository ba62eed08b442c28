#include "report/report_files.hpp"

#include "report/figures.hpp"
#include "report/html_page.hpp"
#include "report/results.hpp"
#include "report/table.hpp"
#include "runtime/atomic_file.hpp"
#include "sweep/manifest.hpp"

namespace idlab::host {
namespace fs = std::filesystem;

namespace {

std::string title_of(const ReportData& data) {
    std::string names;
    for (const SweepSource& s : data.sweeps) names += (names.empty() ? "" : ", ") + s.name;
    return "idlab report: " + names;
}

std::string overview_of(const ReportData& data, size_t completed) {
    std::string from;
    for (const SweepSource& s : data.sweeps) from += (from.empty() ? "" : ", ") + s.dir.string();
    return std::to_string(data.configurations.size()) + " configuration" +
           (data.configurations.size() == 1 ? "" : "s") + ", " + std::to_string(completed) + " of " +
           std::to_string(data.runs.size()) + " runs completed (only those enter the table and plots); from " +
           from + ".";
}

std::vector<UnfinishedRun> unfinished_runs(const ReportData& data, size_t lines) {
    std::vector<UnfinishedRun> out;
    for (const SweepSource& s : data.sweeps)
        for (size_t c : s.configurations)
            for (size_t r : data.configurations[c].runs) {
                const RunResult& run = data.runs[r];
                if (run.status.state == JobState::Done) continue;
                UnfinishedRun u{s.name, run.dir, job_state_name(run.status.state), {}};
                if (run.status.state == JobState::Failed) u.last_lines = failure_log_lines(s.dir / run.dir, lines);
                out.push_back(std::move(u));
            }
    return out;
}

std::string markdown_report(const std::string& title, const std::string& overview, const ReportTable& table,
                            const ValueFormat& format, const std::vector<Figure>& figures,
                            const std::vector<UnfinishedRun>& unfinished) {
    std::string md = "# " + title + "\n\n" + overview + "\n\n" + markdown_table(table, format) + "\n" +
                     table_note(format) + "\n";
    if (!figures.empty()) {
        md += "\n## Figures\n\n";
        for (const Figure& f : figures) md += "![" + f.title + "](" + f.file + ")\n";
    }
    if (!unfinished.empty()) {
        md += "\n## Runs not in the table\n\n";
        for (const UnfinishedRun& u : unfinished) {
            md += "- " + u.state + ": " + u.sweep + "/" + u.dir + "\n";
            if (!u.last_lines.empty()) {
                md += "\n  ```\n";
                for (const std::string& l : u.last_lines) md += "  " + l + "\n";
                md += "  ```\n";
            }
        }
    }
    return md;
}

}  // namespace

bool write_report(const ReportOptions& options, ReportOutcome& outcome, std::string& error) {
    ReportData data;
    if (!collect_results(options.dirs, data, error)) return false;
    const ReportTable table = build_table(data);
    const std::vector<Figure> figures = report_figures(data, table, options.format);
    const std::vector<UnfinishedRun> unfinished = unfinished_runs(data, options.failure_lines);

    outcome.runs = data.runs.size();
    outcome.configurations = data.configurations.size();
    for (const RunResult& r : data.runs) outcome.completed += r.status.state == JobState::Done;

    const std::string title = title_of(data);
    const std::string overview = overview_of(data, outcome.completed);
    try {
        std::error_code ec;
        fs::create_directories(options.out, ec);
        if (ec) throw std::runtime_error("cannot create '" + options.out.string() + "': " + ec.message());
        auto write = [&](const std::string& name, const std::string& text) {
            write_file_atomically(options.out / name, text);
            outcome.files.push_back(name);
        };
        write("table.md", markdown_report(title, overview, table, options.format, figures, unfinished));
        write("table.csv", csv_table(data, table, options.format));
        for (const Figure& f : figures) write(f.file, f.svg);
        write("index.html", html_page(title, overview, table, options.format, figures, unfinished));
    } catch (const std::exception& e) {
        error = e.what();
        outcome.write_failed = true;
        return false;
    }
    return true;
}

}  // namespace idlab::host
