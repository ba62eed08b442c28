// Running one job: the `idlab run` command line for it (a fresh start from the sweep's base
// recipe with the job's overrides, or `--resume` of its folder), its console file, and the
// process itself (a child of the local launcher, or the Slurm task's own process via exec).
#pragma once

#include "sweep/plan.hpp"

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace idlab::host {

struct LaunchSettings {
    std::string idlab;                      // absolute path of the idlab executable
    std::vector<std::string> plugin_dirs;   // absolute --plugin-path folders
    std::string log_level = "info";
    int threads = 0;                        // run.threads for fresh starts; 0 keeps the recipe's
};

// The path of the running executable (/proc/self/exe).
std::string self_executable();

// `idlab run <sweep>/recipe.toml <overrides> [run.threads=T] --out <job folder>`, or, when
// `resume`, `idlab run --resume <job folder>`; both with the plugin path and log level.
std::vector<std::string> job_command(const std::filesystem::path& sweep_dir, const SweepJob& job,
                                     bool resume, const LaunchSettings& settings);

// The command as a shell would need it typed (arguments quoted where needed).
std::string shell_words(const std::vector<std::string>& command);

// Starts an attempt: creates the job folder, rewrites attempt.txt (when, where, by whom --
// `launched_by`, e.g. "Slurm job 12 task 3" -- and the command), opens console.txt for
// appending (close-on-exec) with a header line for this attempt, and returns that
// descriptor. Throws on failure.
int start_attempt(const std::filesystem::path& job_dir, const std::vector<std::string>& command,
                  const std::string& launched_by);

// Starts `command` in a process group of its own (so that a terminal's Ctrl-C reaches only the
// launcher, which forwards one SIGTERM), stdin from /dev/null, stdout and stderr into
// `console_fd`, with `keep_fd` (the job's lock) inherited across exec. Returns the child's pid.
pid_t start_job_process(const std::vector<std::string>& command, int console_fd, int keep_fd);

// The same in this process: exec. Returns only when exec fails (with errno set).
void exec_job_process(const std::vector<std::string>& command, int console_fd, int keep_fd);

}  // namespace idlab::host
