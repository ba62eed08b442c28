// The folder a run writes: recipe.resolved.toml, metrics.jsonl (one line per evaluation),
// summary.json, log.txt, checkpoint.ckpt (the latest checkpoint) and best.ckpt (train.keep_best).
#pragma once

#include <cstddef>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace idlab::host {

class RunDirectory {
public:
    // A fresh run: creates `out` (or, when empty, runs/<name>/<YYYY-MM-DD_HH-MM-SS>/, made
    // unique), empties metrics.jsonl and removes the checkpoints of a run that was there before.
    RunDirectory(const std::filesystem::path& out, const std::string& run_name);
    // An existing run folder, for `idlab run --resume`: nothing changes until keep_metrics().
    static RunDirectory existing(const std::filesystem::path& dir);

    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path recipe_file() const { return path_ / "recipe.resolved.toml"; }
    std::filesystem::path summary_file() const { return path_ / "summary.json"; }
    std::filesystem::path log_file() const { return path_ / "log.txt"; }
    std::filesystem::path checkpoint_file() const { return path_ / "checkpoint.ckpt"; }
    std::filesystem::path best_file() const { return path_ / "best.ckpt"; }

    void write_resolved_recipe(const std::string& toml) const;
    // Resuming: rewrites metrics.jsonl with exactly `lines` (the evaluations the checkpoint has
    // seen), atomically, and appends to it from then on. Returns how many lines it dropped.
    size_t keep_metrics(const std::vector<std::string>& lines);
    // Appends one JSON line and flushes it, so an interrupted run keeps every evaluation.
    void append_metrics(const std::string& json_line);
    void write_summary(const std::string& json) const;

private:
    RunDirectory() = default;
    std::filesystem::path path_;
    std::ofstream metrics_;
};

}  // namespace idlab::host
