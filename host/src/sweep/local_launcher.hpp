// The local launcher: runs a sweep's unfinished jobs on this machine, J at a time, each an
// `idlab run` child holding its job's lock. A failed job is reported with its log's last lines
// and the others go on. Ctrl-C or SIGTERM stops launching and forwards one SIGTERM to each
// running job (which checkpoints and exits); a second one forwards another (they stop at once).
#pragma once

#include "sweep/job_process.hpp"
#include "sweep/plan.hpp"

#include <cstdio>
#include <filesystem>

namespace idlab::host {

struct LocalOptions {
    int jobs = 1;                         // at a time
    LaunchSettings settings;
    double status_every_seconds = 60.0;   // a progress line this often
    size_t failure_lines = 12;            // log lines shown for a failed job
};

// Runs every job that is not done and not running elsewhere. Returns the exit code: 0 when
// every job is done, 130 when stopped by a signal, 1 when some job failed or was killed.
int run_local(const std::filesystem::path& sweep_dir, const SweepPlan& plan, const LocalOptions& options,
              std::FILE* out);

}  // namespace idlab::host
