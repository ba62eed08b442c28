// What a report is made of: every run of one or more sweep folders (or of any folder of run
// folders, such as bench/reproduce.sh writes), grouped into configurations (the runs that
// differ only in their seed), with each run's final values and its curves from metrics.jsonl.
#pragma once

#include "sweep/job_status.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace idlab::host {

struct RunResult {
    std::string dir;                 // relative to its sweep folder: "data.kappa=50.0/seed1"
    int64_t seed = 0;
    JobStatus status;
    // The last evaluation's values (metrics.jsonl, without "step" and "loss"), in file order.
    std::vector<std::pair<std::string, double>> final_values;
    // Every evaluated value by step ("loss" included); the last line for a step wins, so a
    // resumed run that evaluated a step twice counts it once.
    std::map<std::string, std::map<int64_t, double>> curves;
};

struct Configuration {
    std::string sweep;                                          // the sweep's name
    std::string name;                                           // "data.kappa=50.0, train.batch_size=256"
    std::vector<std::pair<std::string, std::string>> values;    // axis key -> TOML text
    std::vector<size_t> runs;                                   // indices into ReportData::runs
};

struct SweepSource {
    std::string name;                      // run.name, or the folder's name
    std::filesystem::path dir;
    std::vector<std::string> axes;         // axis keys in plan order (empty for a plain folder)
    std::vector<std::vector<std::string>> axis_values;  // each axis's values, in plan order
    std::vector<size_t> configurations;    // indices into ReportData::configurations
};

struct ReportData {
    std::vector<SweepSource> sweeps;
    std::vector<Configuration> configurations;
    std::vector<RunResult> runs;
    std::vector<std::string> axis_keys;    // every sweep's axes, first seen first
    std::vector<std::string> value_names;  // every final value, first seen first
};

// Reads the folders: a sweep folder through its manifest, any other folder by finding the
// sweep folders under it (each read as a sweep) and the other run folders (with a
// summary.json or metrics.jsonl; a trailing "seed<N>" names the seed, the rest of the path
// the configuration). Returns false with `error` when a folder cannot be read or holds no runs.
bool collect_results(const std::vector<std::filesystem::path>& dirs, ReportData& data, std::string& error);

}  // namespace idlab::host
