// The Slurm launcher: writes a job-array script into <sweep>/slurm/ and submits it with sbatch.
// Array task i runs the i-th unfinished job through `idlab sweep --run-job DIR JOB`, which
// takes the job's lock and becomes its `idlab run` (so Slurm's SIGTERM at a time limit or a
// scancel reaches the run itself, which checkpoints). Reruns skip and resume as locally.
#pragma once

#include "sweep/job_process.hpp"
#include "sweep/plan.hpp"

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

namespace idlab::host {

struct SlurmOptions {
    int jobs = 0;                           // array throttle (%J); 0: as many as Slurm allows
    LaunchSettings settings;
    int cpus_per_task = 1;                  // the CPUs each task asks for (its run.threads)
    std::vector<std::string> sbatch_lines;  // extra "#SBATCH ..." options, e.g. --partition=cpu
    std::string sbatch = "sbatch";          // the command that submits
};

// The script for the given jobs (folders relative to the sweep), listed in `task_file`.
std::string slurm_script(const std::filesystem::path& sweep_dir, const SweepPlan& plan,
                         const std::filesystem::path& task_file, size_t task_count,
                         const SlurmOptions& options);

// Submits every job that is not done and not running. Returns the exit code (0 submitted or
// nothing to do, 1 when sbatch failed).
int submit_slurm(const std::filesystem::path& sweep_dir, const SweepPlan& plan, const SlurmOptions& options,
                 std::FILE* out);

}  // namespace idlab::host
