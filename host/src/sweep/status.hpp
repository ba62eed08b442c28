// A sweep's state at a glance: every job's state, the counts, an ETA, and for failed jobs the
// last lines of their logs. Shown by `idlab sweep --status DIR` and by the local launcher.
#pragma once

#include "sweep/job_status.hpp"
#include "sweep/launch_record.hpp"
#include "sweep/plan.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace idlab::host {

struct SweepStatus {
    std::vector<JobStatus> jobs;   // in plan order
    size_t pending = 0, running = 0, done = 0, failed = 0, interrupted = 0;
    double eta_seconds = -1;
    bool sweep_locked = false;     // a launcher holds sweep.lock
    std::string sweep_holder;
    std::optional<LaunchRecord> launch;
};

SweepStatus read_sweep_status(const std::filesystem::path& sweep_dir, const SweepPlan& plan);

// "10 done, 2 running, 1 failed, 1 interrupted, 10 pending; ETA 12m30s".
std::string status_counts(const SweepStatus& status);

// The whole report: a heading, the launch, one line per job (state, step, time), and under
// each failed job the last `failure_lines` lines of its console.
std::string status_report(const std::filesystem::path& sweep_dir, const SweepPlan& plan,
                          const SweepStatus& status, size_t failure_lines);

}  // namespace idlab::host
