#include "sweep/eta.hpp"

#include <algorithm>
#include <cstdio>

namespace idlab::host {

double job_eta_seconds(const JobStatus& s) {
    if (s.state != JobState::Running || s.steps_per_second <= 0 || s.total <= 0) return -1;
    return std::max<int64_t>(0, s.total - s.step) / s.steps_per_second;
}

double sweep_eta_seconds(const std::vector<SweepJob>& jobs, const std::vector<JobStatus>& statuses,
                         int concurrency) {
    // Seconds per step: finished jobs first (they include start-up and evaluations), else
    // the rates that running and stopped jobs measured.
    double done_seconds = 0, done_steps = 0, rate_inverse = 0;
    int rates = 0;
    for (const JobStatus& s : statuses) {
        if (s.state == JobState::Done && s.step > 0 && s.seconds > 0) {
            done_seconds += s.seconds;
            done_steps += static_cast<double>(s.step);
        }
        if ((s.state == JobState::Running || s.state == JobState::Interrupted) && s.steps_per_second > 0) {
            rate_inverse += 1.0 / s.steps_per_second;
            ++rates;
        }
    }
    double seconds_per_step = -1;
    if (done_steps > 0) seconds_per_step = done_seconds / done_steps;
    else if (rates > 0) seconds_per_step = rate_inverse / rates;

    double total = 0, longest_running = 0;
    int running = 0;
    for (size_t i = 0; i < jobs.size() && i < statuses.size(); ++i) {
        const JobStatus& s = statuses[i];
        const int64_t steps = s.total > 0 ? s.total : jobs[i].steps;
        double left = 0;
        switch (s.state) {
            case JobState::Done:
            case JobState::Failed: continue;
            case JobState::Running: {
                ++running;
                left = job_eta_seconds(s);
                if (left < 0) {
                    if (seconds_per_step < 0) return -1;
                    left = std::max<int64_t>(0, steps - s.step) * seconds_per_step;
                }
                longest_running = std::max(longest_running, left);
                break;
            }
            case JobState::Interrupted:
            case JobState::Pending:
                if (seconds_per_step < 0) return -1;
                left = std::max<int64_t>(0, steps - (s.state == JobState::Interrupted ? s.step : 0)) *
                       seconds_per_step;
                break;
        }
        total += left;
    }
    const int at_once = std::max({1, concurrency, running});
    return std::max(longest_running, total / at_once);
}

std::string format_duration(double seconds) {
    if (seconds < 0 || seconds > 1e8) return "?";
    const long s = static_cast<long>(seconds + 0.5);
    char buf[32];
    if (s >= 3600) std::snprintf(buf, sizeof(buf), "%ldh%02ldm", s / 3600, (s % 3600) / 60);
    else if (s >= 60) std::snprintf(buf, sizeof(buf), "%ldm%02lds", s / 60, s % 60);
    else std::snprintf(buf, sizeof(buf), "%lds", s);
    return buf;
}

}  // namespace idlab::host
