#include "sweep/status.hpp"

#include "sweep/eta.hpp"
#include "sweep/lock.hpp"
#include "sweep/manifest.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>

namespace idlab::host {
namespace fs = std::filesystem;

SweepStatus read_sweep_status(const fs::path& sweep_dir, const SweepPlan& plan) {
    SweepStatus st;
    for (const SweepJob& job : plan.jobs) {
        JobStatus js = read_job_status(sweep_dir / job.dir);
        if (js.total == 0) js.total = job.steps;
        switch (js.state) {
            case JobState::Pending: ++st.pending; break;
            case JobState::Running: ++st.running; break;
            case JobState::Done: ++st.done; break;
            case JobState::Failed: ++st.failed; break;
            case JobState::Interrupted: ++st.interrupted; break;
        }
        st.jobs.push_back(std::move(js));
    }
    st.sweep_locked = lock_is_held(sweep_dir / kSweepLockFile, &st.sweep_holder);
    st.launch = read_launch_record(sweep_dir);
    int concurrency = 1;
    if (st.launch && st.launch->jobs > 0) concurrency = st.launch->jobs;
    st.eta_seconds = sweep_eta_seconds(plan.jobs, st.jobs, concurrency);
    return st;
}

std::string status_counts(const SweepStatus& s) {
    std::string out = std::to_string(s.done) + " done, " + std::to_string(s.running) + " running, " +
                      std::to_string(s.failed) + " failed, " + std::to_string(s.interrupted) +
                      " interrupted, " + std::to_string(s.pending) + " pending";
    if (s.pending + s.running + s.interrupted == 0) return out + "; nothing left to run";
    out += "; ETA " + (s.eta_seconds < 0 ? std::string("unknown until a job has run a while")
                                         : format_duration(s.eta_seconds));
    if (s.failed > 0) out += " (failed jobs not counted)";
    return out;
}

namespace {

std::string local_time(long long unix_time) {
    std::time_t t = static_cast<std::time_t>(unix_time);
    std::tm tm{};
    localtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
    return buf;
}

std::string step_text(const JobStatus& j) {
    if (j.state == JobState::Pending) return "";
    if (j.total <= 0) return std::to_string(j.step);
    std::string s = std::to_string(j.step) + "/" + std::to_string(j.total);
    if (j.state == JobState::Running || j.state == JobState::Interrupted) {
        char pct[16];
        std::snprintf(pct, sizeof(pct), " %3.0f%%", 100.0 * static_cast<double>(j.step) / j.total);
        s += pct;
    }
    return s;
}

}  // namespace

std::string status_report(const fs::path& sweep_dir, const SweepPlan& plan, const SweepStatus& s,
                          size_t failure_lines) {
    std::string out = "sweep '" + plan.name + "' in " + sweep_dir.string() + ": " +
                      std::to_string(plan.jobs.size()) + " job" + (plan.jobs.size() == 1 ? "" : "s") + "\n";
    out += "  " + status_counts(s) + "\n";
    if (s.sweep_locked) out += "  launcher running: " + s.sweep_holder + "\n";
    if (s.launch) {
        const LaunchRecord& l = *s.launch;
        if (l.launcher == "slurm")
            out += "  last launch: Slurm job array " + l.slurm_job + " (" + std::to_string(l.tasks) +
                   " tasks) submitted " + local_time(l.started) + " from " + l.host +
                   "; squeue -j " + l.slurm_job + "\n  its tasks' own output: " +
                   (sweep_dir / "slurm" / (l.slurm_job + "_*.out")).string() + "\n";
        else if (!s.sweep_locked)
            out += "  last launch: local, " + std::to_string(l.jobs) + " at a time, " + local_time(l.started) +
                   " on " + l.host + " (pid " + std::to_string(l.pid) + ", no longer running)\n";
    }
    size_t width = 3;
    for (const SweepJob& j : plan.jobs) width = std::max(width, j.dir.size());
    char line[1024];
    std::snprintf(line, sizeof(line), "\n  %-11s %-17s %-8s %s\n", "state", "step", "time", "job");
    out += line;
    for (size_t i = 0; i < plan.jobs.size(); ++i) {
        const JobStatus& j = s.jobs[i];
        std::string time = j.seconds > 0 ? format_duration(j.seconds) : "";
        std::string extra;
        if (j.state == JobState::Running) {
            const double left = job_eta_seconds(j);
            if (left >= 0) extra = "  ETA " + format_duration(left);
            if (!j.holder.empty()) extra += "  (" + j.holder + ")";
        }
        if (j.state == JobState::Interrupted)
            extra = j.has_checkpoint ? "  resumes from its checkpoint on rerun" : "  restarts on rerun";
        std::snprintf(line, sizeof(line), "  %-11s %-17s %-8s %s%s\n", job_state_name(j.state),
                      step_text(j).c_str(), time.c_str(), plan.jobs[i].dir.c_str(), extra.c_str());
        out += line;
        if (j.state == JobState::Failed && failure_lines > 0) {
            const fs::path job_dir = sweep_dir / plan.jobs[i].dir;
            const std::vector<std::string> lines = failure_log_lines(job_dir, failure_lines);
            if (lines.empty()) {
                out += "      " + j.error + "\n";
                continue;
            }
            out += "      last lines of " + (job_dir / kConsoleFile).string() + ":\n";
            for (const std::string& l : lines) out += "      | " + l + "\n";
        }
    }
    return out;
}

}  // namespace idlab::host
