#include "report/results.hpp"

#include "runtime/json_value.hpp"
#include "sweep/manifest.hpp"

#include <algorithm>
#include <fstream>
#include <regex>

namespace idlab::host {
namespace fs = std::filesystem;

namespace {

void add_unique(std::vector<std::string>& list, const std::string& item) {
    if (std::find(list.begin(), list.end(), item) == list.end()) list.push_back(item);
}

void read_metrics(const fs::path& file, RunResult& run) {
    std::ifstream in(file, std::ios::binary);
    std::string line, error;
    std::vector<std::pair<std::string, double>> last;
    int64_t last_step = -1;
    while (std::getline(in, line)) {
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        auto doc = parse_json(line, error);
        if (!doc || !doc->is_object()) continue;  // a line cut short by a kill: skip it
        const JsonValue* step = doc->find("step");
        if (!step || !step->is_number()) continue;
        const auto s = static_cast<int64_t>(step->number);
        std::vector<std::pair<std::string, double>> values;
        for (const auto& [k, v] : doc->members) {
            if (k == "step" || !v.is_number()) continue;
            run.curves[k][s] = v.number;
            if (k != "loss") values.emplace_back(k, v.number);
        }
        if (s >= last_step) {
            last_step = s;
            last = std::move(values);
        }
    }
    run.final_values = std::move(last);
}

RunResult read_run(const fs::path& sweep_dir, const std::string& dir, int64_t seed) {
    RunResult run;
    run.dir = dir;
    run.seed = seed;
    run.status = read_job_status(sweep_dir / dir);
    read_metrics(sweep_dir / dir / "metrics.jsonl", run);
    return run;
}

std::string configuration_name(const std::vector<std::pair<std::string, std::string>>& values) {
    std::string name;
    for (const auto& [k, v] : values) name += (name.empty() ? "" : ", ") + k + "=" + v;
    return name;
}

// One configuration per distinct key, in first-seen order.
size_t configuration_index(ReportData& data, SweepSource& source, const std::string& key,
                           const std::vector<std::pair<std::string, std::string>>& values,
                           std::map<std::string, size_t>& seen) {
    auto it = seen.find(key);
    if (it != seen.end()) return it->second;
    Configuration c;
    c.sweep = source.name;
    c.values = values;
    c.name = values.empty() ? (key.empty() ? source.name : key) : configuration_name(values);
    data.configurations.push_back(std::move(c));
    const size_t index = data.configurations.size() - 1;
    source.configurations.push_back(index);
    seen[key] = index;
    return index;
}

bool read_sweep(const fs::path& dir, ReportData& data, std::string& error) {
    auto plan = read_manifest(dir, error);
    if (!plan) return false;
    SweepSource source;
    source.name = plan->name;
    source.dir = dir;
    for (const Axis& a : plan->axes) {
        source.axes.push_back(a.key);
        source.axis_values.push_back(a.values);
        add_unique(data.axis_keys, a.key);
    }
    std::map<std::string, size_t> seen;
    for (const SweepJob& job : plan->jobs) {
        const size_t c = configuration_index(data, source, job.configuration(), job.values, seen);
        data.runs.push_back(read_run(dir, job.dir, job.seed));
        data.configurations[c].runs.push_back(data.runs.size() - 1);
    }
    data.sweeps.push_back(std::move(source));
    return true;
}

// Any folder: every sweep folder below it is read as a sweep, every other folder with a
// summary.json or a metrics.jsonl is a run.
bool read_plain(const fs::path& dir, ReportData& data, std::string& error) {
    std::vector<std::string> found;
    std::vector<fs::path> sweeps;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(dir, fs::directory_options::skip_permission_denied, ec);
         it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (ec) break;
        if (it.depth() > 8) {
            it.disable_recursion_pending();
            continue;
        }
        if (!it->is_directory(ec)) continue;
        const fs::path p = it->path();
        if (is_sweep_folder(p)) {
            sweeps.push_back(p);
            it.disable_recursion_pending();
            continue;
        }
        if (fs::exists(p / "summary.json", ec) || fs::exists(p / "metrics.jsonl", ec)) {
            found.push_back(fs::relative(p, dir, ec).generic_string());
            it.disable_recursion_pending();
        }
    }
    if (fs::exists(dir / "summary.json", ec) || fs::exists(dir / "metrics.jsonl", ec)) found.push_back(".");
    if (found.empty() && sweeps.empty()) {
        error = "'" + dir.string() + "' holds no sweep (sweep.json) and no run folders (summary.json)";
        return false;
    }
    std::sort(sweeps.begin(), sweeps.end());
    for (const fs::path& sweep : sweeps)
        if (!read_sweep(sweep, data, error)) return false;
    if (found.empty()) return true;
    std::sort(found.begin(), found.end());
    SweepSource source;
    source.name = fs::absolute(dir).lexically_normal().filename().string();
    if (source.name.empty()) source.name = dir.string();
    source.dir = dir;
    static const std::regex seed_folder("^(.*?)/?seed([0-9]+)$");
    std::map<std::string, size_t> seen;
    for (const std::string& rel : found) {
        std::smatch m;
        std::string key = rel == "." ? "" : rel;
        int64_t seed = 0;
        if (std::regex_match(rel, m, seed_folder)) {
            key = m[1].str();
            seed = std::stoll(m[2].str());
        }
        const size_t c = configuration_index(data, source, key, {}, seen);
        data.runs.push_back(read_run(dir, rel, seed));
        data.configurations[c].runs.push_back(data.runs.size() - 1);
    }
    data.sweeps.push_back(std::move(source));
    return true;
}

}  // namespace

bool collect_results(const std::vector<fs::path>& dirs, ReportData& data, std::string& error) {
    for (const fs::path& dir : dirs) {
        if (!fs::is_directory(dir)) {
            error = "'" + dir.string() + "' is not a folder";
            return false;
        }
        const bool ok = is_sweep_folder(dir) ? read_sweep(dir, data, error) : read_plain(dir, data, error);
        if (!ok) return false;
    }
    // Sweeps of one recipe with different fixed overrides share a name: tell them apart by folder.
    std::map<std::string, int> uses;
    for (const SweepSource& s : data.sweeps) ++uses[s.name];
    for (SweepSource& s : data.sweeps) {
        if (uses[s.name] < 2) continue;
        const std::string label = s.name + " (" + fs::absolute(s.dir).lexically_normal().filename().string() + ")";
        for (size_t c : s.configurations) data.configurations[c].sweep = label;
        s.name = label;
    }
    for (const RunResult& r : data.runs)
        for (const auto& [name, value] : r.final_values) add_unique(data.value_names, name);
    return true;
}

}  // namespace idlab::host
