// The ETA of --status: finished jobs' seconds per step, running jobs' rates, J at a time.
#include "sweep/eta.hpp"

#include <catch2/catch.hpp>

using namespace idlab::host;

namespace {
JobStatus with(JobState state, int64_t step, int64_t total, double seconds, double rate = 0) {
    JobStatus s;
    s.state = state;
    s.step = step;
    s.total = total;
    s.seconds = seconds;
    s.steps_per_second = rate;
    return s;
}
}  // namespace

TEST_CASE("ETA from finished and running jobs", "[sweep][eta]") {
    std::vector<SweepJob> jobs(5);
    for (SweepJob& j : jobs) j.steps = 1000;
    SECTION("nothing has run: unknown") {
        std::vector<JobStatus> st(5);
        CHECK(sweep_eta_seconds(jobs, st, 2) < 0);
    }
    SECTION("done jobs set the pace, J share the rest") {
        std::vector<JobStatus> st = {with(JobState::Done, 1000, 1000, 10), with(JobState::Done, 1000, 1000, 30),
                                     JobStatus{}, JobStatus{}, with(JobState::Failed, 5, 1000, 1)};
        // 20 s per job, two pending jobs, two at a time: 20 s. The failed job is left out.
        CHECK(sweep_eta_seconds(jobs, st, 2) == Approx(20.0));
        CHECK(sweep_eta_seconds(jobs, st, 1) == Approx(40.0));
    }
    SECTION("a running job counts its own rate and remaining steps") {
        std::vector<JobStatus> st = {with(JobState::Running, 600, 1000, 6, 100), with(JobState::Done, 1000, 1000, 20),
                                     with(JobState::Done, 1000, 1000, 20), with(JobState::Done, 1000, 1000, 20),
                                     with(JobState::Done, 1000, 1000, 20)};
        CHECK(job_eta_seconds(st[0]) == Approx(4.0));
        CHECK(sweep_eta_seconds(jobs, st, 4) == Approx(4.0));
    }
    SECTION("without finished jobs the running rates set the pace; interrupted jobs resume") {
        std::vector<JobStatus> st = {with(JobState::Running, 500, 1000, 5, 100), with(JobState::Interrupted, 400, 1000, 4, 100),
                                     with(JobState::Done, 0, 0, 0), with(JobState::Done, 0, 0, 0),
                                     with(JobState::Done, 0, 0, 0)};
        // 5 s left for the running job, 600 steps at 0.01 s for the interrupted one; one at a time.
        CHECK(sweep_eta_seconds(jobs, st, 1) == Approx(11.0));
    }
}

TEST_CASE("durations read like the progress line's", "[sweep][eta]") {
    CHECK(format_duration(0) == "0s");
    CHECK(format_duration(59.4) == "59s");
    CHECK(format_duration(185) == "3m05s");
    CHECK(format_duration(7800) == "2h10m");
    CHECK(format_duration(-1) == "?");
}
