// launch.json in the sweep folder: how the latest launch ran the jobs (local, J at a time, by
// which process; or the Slurm array it submitted), for --status.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace idlab::host {

inline constexpr const char* kLaunchFile = "launch.json";

struct LaunchRecord {
    std::string launcher;    // "local" or "slurm"
    int jobs = 1;            // at a time (Slurm: the array's throttle, 0 for none)
    int tasks = 0;           // jobs this launch set out to run
    int threads = 0;         // run.threads given to each job (0: the recipe's)
    std::string slurm_job;   // Slurm: the array's job id
    long pid = 0;
    std::string host;
    long long started = 0;   // Unix time
};

void write_launch_record(const std::filesystem::path& sweep_dir, const LaunchRecord& record);
std::optional<LaunchRecord> read_launch_record(const std::filesystem::path& sweep_dir);

}  // namespace idlab::host
