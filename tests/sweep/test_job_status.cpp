// A job's state read from its run folder, as the run-folder contract writes it.
#include "sweep/job_status.hpp"
#include "sweep/lock.hpp"

#include "sweep_test_support.hpp"

#include <thread>

using namespace idlab::host;
using namespace sweep_test;

namespace {
const char* kRunning = R"({"state": "running", "step": 120, "total": 300, "first_step": 101, "steps_per_second": 50, "elapsed": 3.5, "pid": 1, "host": "h", "updated": 0})";
const char* kCompleted = R"({"state": "completed", "step": 300, "total": 300, "first_step": 1, "steps_per_second": 50, "elapsed": 6, "pid": 1, "host": "h", "updated": 0})";

// Makes sure the next file written gets a later modification time than the last one.
void tick() { std::this_thread::sleep_for(std::chrono::milliseconds(20)); }
}  // namespace

TEST_CASE("job states from the run folder", "[sweep][status]") {
    const fs::path job = scratch("job-status") / "data.kappa=5.0" / "seed0";
    SECTION("nothing yet: pending") {
        CHECK(read_job_status(job).state == JobState::Pending);
        fs::create_directories(job);
        CHECK(read_job_status(job).state == JobState::Pending);
    }
    SECTION("summary.json's status decides") {
        write(job / "recipe.resolved.toml", "");
        write(job / "progress.json", kCompleted);
        write(job / "summary.json", R"({"status": "completed", "steps": 300, "seconds": 6.5})");
        JobStatus st = read_job_status(job);
        CHECK(st.state == JobState::Done);
        CHECK(st.step == 300);
        CHECK(st.seconds == 6.5);
        write(job / "summary.json", R"({"status": "failed", "error": "sample() failed at step 2"})");
        st = read_job_status(job);
        CHECK(st.state == JobState::Failed);
        CHECK(st.error == "sample() failed at step 2");
        write(job / "summary.json", R"({"status": "interrupted", "steps": 150})");
        CHECK(read_job_status(job).state == JobState::Interrupted);
        // A resume that failed before its first step leaves the old summary; progress.json tells.
        write(job / "progress.json", R"({"state": "failed", "step": 0, "total": 300})");
        st = read_job_status(job);
        CHECK(st.state == JobState::Failed);
        CHECK(st.error == "the latest attempt failed");
    }
    SECTION("summaries from before the status key") {
        write(job / "summary.json", R"({"steps": 300, "interrupted": false})");
        CHECK(read_job_status(job).state == JobState::Done);
        write(job / "summary.json", R"({"steps": 30, "interrupted": true})");
        CHECK(read_job_status(job).state == JobState::Interrupted);
        write(job / "summary.json", R"({"steps": 3, "interrupted": false, "error": "boom"})");
        CHECK(read_job_status(job).state == JobState::Failed);
    }
    SECTION("a run that stopped while progress.json said running was killed") {
        write(job / "recipe.resolved.toml", "");
        write(job / "checkpoint.ckpt", "");
        write(job / "summary.json", R"({"status": "failed", "error": "an earlier attempt"})");
        write(job / "progress.json", kRunning);
        const JobStatus st = read_job_status(job);
        CHECK(st.state == JobState::Interrupted);
        CHECK(st.step == 120);
        CHECK(st.total == 300);
        CHECK(st.first_step == 101);
        CHECK(st.has_checkpoint);
        CHECK(st.has_run);
    }
    SECTION("a held job lock means running, whatever the files say") {
        write(job / "progress.json", kRunning);
        std::string held_by;
        auto lock = FileLock::try_take(job / kJobLockFile, "pid 7 on host x", held_by);
        REQUIRE(lock);
        JobStatus st = read_job_status(job);
        CHECK(st.state == JobState::Running);
        CHECK(st.holder == "pid 7 on host x");
        CHECK(st.steps_per_second == 50);
        // The job's own launcher reads the files behind its lock.
        CHECK(read_job_status(job, false).state == JobState::Interrupted);
        lock->release();
        CHECK(read_job_status(job).state == JobState::Interrupted);
    }
    SECTION("an attempt that never reached its run folder failed") {
        write(job / kAttemptFile, "pid 1\nidlab run ...\n");
        JobStatus st = read_job_status(job);
        CHECK(st.state == JobState::Failed);
        // A later attempt that did reach it is judged by its files again.
        tick();
        write(job / "progress.json", kCompleted);
        write(job / "summary.json", R"({"status": "completed", "steps": 300})");
        CHECK(read_job_status(job).state == JobState::Done);
        // Then a resume attempt that died before its folder: failed, not the old summary.
        tick();
        write(job / kAttemptFile, "pid 2\n");
        st = read_job_status(job);
        CHECK(st.state == JobState::Failed);
        CHECK_THAT(st.error, Catch::Contains("before training started"));
    }
}

TEST_CASE("a failed job's last lines come from its console, live redraws reduced", "[sweep][status]") {
    const fs::path job = scratch("job-lines");
    CHECK(failure_log_lines(job, 5).empty());
    write(job / "log.txt", "a\nb\n");
    CHECK(failure_log_lines(job, 5) == std::vector<std::string>{"a", "b"});
    std::string console;
    for (int i = 1; i <= 30; ++i) console += "line " + std::to_string(i) + "\n";
    console += "step 1/9\r\x1b[Kstep 5/9\r\n\nerror: the end\n";
    write(job / kConsoleFile, console);
    const auto lines = failure_log_lines(job, 3);
    CHECK(lines == std::vector<std::string>{"line 30", "step 5/9", "error: the end"});
}
