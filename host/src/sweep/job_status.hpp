// What a job's run folder says about it: pending, running (its job.lock is held), done,
// failed or interrupted, with its progress. Read from the run-folder contract (summary.json's
// "status", or the older "error" / "interrupted" keys) and progress.json; never from the
// launcher's memory, so --status, reruns and Slurm tasks agree.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace idlab::host {

inline constexpr const char* kJobLockFile = "job.lock";
inline constexpr const char* kConsoleFile = "console.txt";   // the job's stdout and stderr
inline constexpr const char* kProgressFile = "progress.json";
inline constexpr const char* kAttemptFile = "attempt.txt";   // rewritten as each attempt starts

enum class JobState { Pending, Running, Done, Failed, Interrupted };

const char* job_state_name(JobState s);  // "pending", "running", "done", "failed", "interrupted"

struct JobStatus {
    JobState state = JobState::Pending;
    int64_t step = 0;              // steps done (progress.json, or summary.json's "steps")
    int64_t total = 0;             // the run's train.steps (0 when unknown)
    double seconds = 0.0;          // finished: the run's seconds; running: seconds so far
    double steps_per_second = 0.0; // running: this attempt's rate
    int64_t first_step = 0;        // the first step the latest attempt trained (1, or after a resume)
    std::string holder;            // running: who holds job.lock
    std::string error;             // failed: the summary's "error", or why it is counted failed
    bool has_run = false;          // recipe.resolved.toml exists: a rerun resumes it
    bool has_checkpoint = false;   // checkpoint.ckpt exists
};

// `check_lock` false: for the job's own launcher, which holds the lock itself or has just seen
// the run exit (a sibling between fork and exec may still hold a copy of the descriptor).
JobStatus read_job_status(const std::filesystem::path& job_dir, bool check_lock = true);

// The last `count` non-empty lines of a file (carriage-return redraws reduced to their last
// state); empty when the file is missing.
std::vector<std::string> last_lines(const std::filesystem::path& file, size_t count);

// The lines to show for a failed job: the end of console.txt, else of log.txt.
std::vector<std::string> failure_log_lines(const std::filesystem::path& job_dir, size_t count);

}  // namespace idlab::host
