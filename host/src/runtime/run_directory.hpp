// The folder a run writes: recipe.resolved.toml, metrics.jsonl (one line per evaluation),
// summary.json and log.txt.
#pragma once

#include <filesystem>
#include <fstream>
#include <string>

namespace idlab::host {

class RunDirectory {
public:
    // Creates `out` (or, when empty, runs/<name>/<YYYY-MM-DD_HH-MM-SS>/, made unique).
    RunDirectory(const std::filesystem::path& out, const std::string& run_name);

    const std::filesystem::path& path() const { return path_; }
    void write_resolved_recipe(const std::string& toml) const;
    // Appends one JSON line and flushes it, so an interrupted run keeps every evaluation.
    void append_metrics(const std::string& json_line);
    void write_summary(const std::string& json) const;

private:
    std::filesystem::path path_;
    std::ofstream metrics_;
};

}  // namespace idlab::host
