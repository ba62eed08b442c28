// How long until a sweep is done: finished jobs give the seconds a step costs, running jobs
// their own rate; the remaining steps are shared among the jobs that run at once.
#pragma once

#include "sweep/job_status.hpp"
#include "sweep/plan.hpp"

#include <string>
#include <vector>

namespace idlab::host {

// Seconds until every pending, running and interrupted job is done (failed jobs are left
// out), with `concurrency` jobs at a time. Negative when nothing has run long enough to tell.
double sweep_eta_seconds(const std::vector<SweepJob>& jobs, const std::vector<JobStatus>& statuses,
                         int concurrency);

// Seconds until one running job is done; negative when unknown.
double job_eta_seconds(const JobStatus& status);

// "42s", "3m05s", "2h10m"; "?" for a negative or absurd value.
std::string format_duration(double seconds);

}  // namespace idlab::host
