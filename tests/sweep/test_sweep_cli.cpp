// End-to-end: `idlab sweep` and `idlab report` as a user runs them, on the tests' small
// recipe (a few hundred steps per job). The [resume] cases need `idlab run --resume` and
// checkpoints (train.checkpoint_every) from the checkpointing work.
#include "runtime/json_value.hpp"
#include "sweep/job_status.hpp"
#include "sweep/lock.hpp"
#include "sweep/manifest.hpp"

#include "sweep_test_support.hpp"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <thread>

using namespace idlab::host;
using namespace sweep_test;

namespace {

struct Result {
    int exit_code = -1;
    std::string output;
};

Result run_idlab(const std::string& args) {
    const std::string cmd = std::string("cd '") + IDLAB_SWEEP_WORK_DIR + "' && '" + IDLAB_EXE + "' " + args + " 2>&1";
    Result r;
    FILE* pipe = popen(cmd.c_str(), "r");
    REQUIRE(pipe != nullptr);
    std::array<char, 4096> buf{};
    size_t n;
    while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) r.output.append(buf.data(), n);
    const int status = pclose(pipe);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

// Starts idlab in the background with its output in `log`; returns its pid.
pid_t idlab_in_background(const std::vector<std::string>& args, const fs::path& log) {
    std::vector<std::string> argv = {IDLAB_EXE};
    argv.insert(argv.end(), args.begin(), args.end());
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(fd, 1);
        dup2(fd, 2);
        if (chdir(IDLAB_SWEEP_WORK_DIR) != 0) _exit(127);
        std::vector<char*> p;
        for (std::string& a : argv) p.push_back(a.data());
        p.push_back(nullptr);
        execv(p[0], p.data());
        _exit(127);
    }
    return pid;
}

// A background idlab: reaped as soon as it exits, so waits can stop early.
struct Background {
    pid_t pid = -1;
    int code = -1;
    bool exited = false;
    bool alive() {
        int status = 0;
        if (!exited && waitpid(pid, &status, WNOHANG) == pid) {
            exited = true;
            code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        }
        return !exited;
    }
    int wait() {
        int status = 0;
        if (!exited && waitpid(pid, &status, 0) == pid) {
            exited = true;
            code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        }
        return code;
    }
};

std::string recipe(const std::string& name) { return std::string(IDLAB_TEST_RECIPES) + "/" + name; }

// The highest step in a run's metrics.jsonl so far (0 when none).
int64_t evaluated_step(const fs::path& run) {
    int64_t step = 0;
    std::string text = read(run / "metrics.jsonl"), error;
    size_t start = 0;
    while (start < text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string::npos) break;  // the line being written
        if (auto v = parse_json(text.substr(start, end - start), error)) step = std::max<int64_t>(step, v->number_or("step", 0));
        start = end + 1;
    }
    return step;
}

// Waits (up to a minute) until `ready` holds; gives up early when `process` exits.
template <typename F>
bool wait_for(Background& process, F ready) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
        if (ready()) return true;
        if (!process.alive()) return ready();
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
}

std::string last_line(const std::string& text) {
    const size_t end = text.find_last_not_of('\n');
    if (end == std::string::npos) return "";
    const size_t start = text.rfind('\n', end);
    return text.substr(start == std::string::npos ? 0 : start + 1, end - (start == std::string::npos ? 0 : start + 1) + 1);
}

size_t count(const std::string& text, const std::string& what) {
    size_t n = 0;
    for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
    return n;
}

JobState state_of(const fs::path& run) { return read_job_status(run).state; }

}  // namespace

TEST_CASE("sweep lists every job, runs the product J at a time, and a rerun skips what is done", "[sweep-cli]") {
    const fs::path out = scratch("cli-product");
    const std::string command = "sweep '" + recipe("sweep-small.toml") + "' 'encoder.hidden=[16],[32,32]' --seeds 2 --jobs 2 --out '" + out.string() + "'";
    Result r = run_idlab(command);
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.output, Catch::Contains("sweep 'sweep-small': 2 x 2 x 2 seeds = 8 jobs"));
    CHECK_THAT(r.output, Catch::Contains("axis  encoder.hidden = [16], [32,32]  (command line)"));
    const size_t first_start = r.output.find("\nstart ");
    REQUIRE(first_start != std::string::npos);
    std::string error;
    auto plan = read_manifest(out, error);
    REQUIRE(plan);
    REQUIRE(plan->jobs.size() == 8);
    for (const SweepJob& job : plan->jobs) {
        INFO(job.dir);
        const size_t listed = r.output.find("pending     " + job.dir + "\n");
        CHECK(listed < first_start);  // listed before anything started
        CHECK(state_of(out / job.dir) == JobState::Done);
    }
    CHECK(plan->jobs[7].dir == "data.kappa=20.0/encoder.hidden=32x32/seed1");
    const std::string resolved = read(out / plan->jobs[7].dir / "recipe.resolved.toml");
    CHECK_THAT(resolved, Catch::Contains("kappa = 20.0") && Catch::Contains("hidden = [32, 32]") &&
                             Catch::Contains("seed = 1") && Catch::Contains("steps = 200"));
    CHECK_FALSE(read(out / kBaseRecipeFile).find("[sweep]") != std::string::npos);

    Result again = run_idlab(command);
    INFO(again.output);
    CHECK(again.exit_code == 0);
    CHECK_THAT(again.output, Catch::Contains("running 0 jobs, 2 at a time (8 already done)"));
    CHECK(count(read(out / plan->jobs[0].dir / kConsoleFile), "== idlab sweep:") == 1);

    Result more = run_idlab("sweep '" + recipe("sweep-small.toml") + "' 'encoder.hidden=[16],[32,32]' --seeds 3 --jobs 2 --out '" + out.string() + "'");
    INFO(more.output);
    CHECK(more.exit_code == 0);
    CHECK_THAT(more.output, Catch::Contains("running 4 jobs, 2 at a time (8 already done)"));
    CHECK(state_of(out / "data.kappa=20.0/encoder.hidden=32x32/seed2") == JobState::Done);

    Result status = run_idlab("sweep --status '" + out.string() + "'");
    INFO(status.output);
    CHECK(status.exit_code == 0);
    CHECK_THAT(status.output, Catch::Contains("12 done, 0 running, 0 failed, 0 interrupted, 0 pending; nothing left to run"));
    CHECK_THAT(status.output, Catch::Contains("last launch: local, 2 at a time"));
    CHECK(count(status.output, "  done        200/200") == 12);

    Result report = run_idlab("report '" + out.string() + "'");
    INFO(report.output);
    REQUIRE(report.exit_code == 0);
    CHECK_THAT(report.output, Catch::Contains("4 configurations, 12 of 12 runs completed"));
    const std::string md = read(out / "report" / "table.md");
    CHECK_THAT(md, Catch::Contains("| data.kappa | encoder.hidden | seeds | linear_r2 (%) |"));
    CHECK(count(md, "| 3 | ") == 4);
    CHECK(fs::exists(out / "report" / "heatmap-linear_r2.svg"));
    CHECK(fs::exists(out / "report" / "curves-linear_r2.svg"));
    CHECK(count(read(out / "report" / "table.csv"), "\n") == 1 + 4);
}

TEST_CASE("a sweep job is an ordinary run: the same numbers as idlab run with its overrides", "[sweep-cli]") {
    const fs::path out = scratch("cli-ordinary");
    Result r = run_idlab("sweep '" + recipe("sweep-small.toml") + "' --out '" + out.string() + "/sweep'");
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    Result single = run_idlab("run '" + recipe("sweep-small.toml") + "' data.kappa=20.0 run.seed=0 --out '" + out.string() + "/single'");
    INFO(single.output);
    REQUIRE(single.exit_code == 0);
    const std::string metrics = read(out / "single" / "metrics.jsonl");
    CHECK_FALSE(metrics.empty());
    CHECK(read(out / "sweep" / "data.kappa=20.0" / "seed0" / "metrics.jsonl") == metrics);
}

TEST_CASE("each job gets a share of the cores unless the recipe or --threads says otherwise", "[sweep-cli]") {
    const fs::path out = scratch("cli-threads");
    write(out / "all-cores.toml", "include = [\"" + recipe("sweep-small.toml") + "\"]\n[run]\nthreads = 0\n");
    cpu_set_t set;
    CPU_ZERO(&set);
    REQUIRE(sched_getaffinity(0, sizeof(set), &set) == 0);
    const int share = std::max(1, CPU_COUNT(&set) / 2);
    Result r = run_idlab("sweep '" + (out / "all-cores.toml").string() + "' --jobs 2 --out '" + out.string() + "/shared'");
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(read(out / "shared" / "data.kappa=5.0" / "seed0" / "recipe.resolved.toml"),
               Catch::Contains("threads = " + std::to_string(share) + "\n"));
    r = run_idlab("sweep '" + (out / "all-cores.toml").string() + "' --jobs 2 --threads 3 --out '" + out.string() + "/three'");
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(read(out / "three" / "data.kappa=5.0" / "seed0" / "recipe.resolved.toml"), Catch::Contains("threads = 3\n"));
    r = run_idlab("sweep '" + recipe("sweep-small.toml") + "' --jobs 2 --out '" + out.string() + "/own'");
    REQUIRE(r.exit_code == 0);  // the recipe's own threads = 1 stays
    CHECK_THAT(read(out / "own" / "data.kappa=5.0" / "seed0" / "recipe.resolved.toml"), Catch::Contains("threads = 1\n"));
}

TEST_CASE("a failed job is reported with its log's last lines and the others go on", "[sweep-cli]") {
    const fs::path out = scratch("cli-failure");
    // clusters = 2 is below latent_dim + 1: those jobs fail when the data process is created.
    const std::string command = "sweep '" + recipe("sweep-small.toml") + "' data.clusters=2,20 --out '" + out.string() + "'";
    Result r = run_idlab(command);
    INFO(r.output);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.output, Catch::Contains("failed   data.kappa=5.0/data.clusters=2/seed0 (exit status 2)"));
    CHECK_THAT(r.output, Catch::Contains("| error: data 'core.vmf_clusters' could not be created: clusters = 2"));
    CHECK_THAT(r.output, Catch::Contains("done     data.kappa=20.0/data.clusters=20/seed0"));
    CHECK_THAT(r.output, Catch::Contains("2 done, 0 running, 2 failed"));
    CHECK(state_of(out / "data.kappa=5.0/data.clusters=20/seed0") == JobState::Done);

    Result status = run_idlab("sweep --status '" + out.string() + "'");
    INFO(status.output);
    CHECK(status.exit_code == 0);
    CHECK_THAT(status.output, Catch::Contains("failed      0/200"));
    CHECK_THAT(status.output, Catch::Contains("      | error: data 'core.vmf_clusters' could not be created"));

    Result report = run_idlab("report '" + out.string() + "'");
    CHECK(report.exit_code == 0);
    CHECK_THAT(read(out / "report" / "table.md"), Catch::Contains("- failed: sweep-small/data.kappa=5.0/data.clusters=2/seed0"));

    Result again = run_idlab(command);  // failed jobs are retried
    INFO(again.output);
    CHECK(again.exit_code == 1);
    CHECK_THAT(again.output, Catch::Contains("running 2 jobs"));
}

TEST_CASE("bad axes and options are refused before anything runs", "[sweep-cli]") {
    const fs::path out = scratch("cli-usage");
    const std::string r = "'" + recipe("sweep-small.toml") + "'";
    const std::string o = " --out '" + out.string() + "/s'";
    Result bad = run_idlab("sweep " + r + " data.kappa=abc,5" + o);
    INFO(bad.output);
    CHECK(bad.exit_code == 2);
    CHECK_THAT(bad.output, Catch::Contains("the value abc of axis 'data.kappa'") && Catch::Contains("<cli:1>"));
    CHECK_FALSE(fs::exists(out / "s"));
    CHECK(run_idlab("sweep " + r + " data.kappa=5,,6" + o).exit_code == 2);
    CHECK_THAT(run_idlab("sweep " + r + " run.seed=0,1" + o).output, Catch::Contains("--seeds"));
    CHECK(run_idlab("sweep " + r + " nostage.x=1,2" + o).exit_code == 2);
    CHECK(run_idlab("sweep " + r + " --launcher pbs" + o).exit_code == 2);
    CHECK(run_idlab("sweep " + r + " --seeds 0" + o).exit_code == 2);
    CHECK(run_idlab("sweep " + r + " --jobs two" + o).exit_code == 2);
    CHECK(run_idlab("sweep" + o).exit_code == 2);
    CHECK(run_idlab("sweep --status '" + out.string() + "'").exit_code == 2);
    CHECK_FALSE(fs::exists(out / "s"));
    write(out / "busy" / "notes.txt", "not a sweep");
    Result busy = run_idlab("sweep " + r + " --out '" + (out / "busy").string() + "'");
    CHECK(busy.exit_code == 2);
    CHECK_THAT(busy.output, Catch::Contains("holds something other than a sweep"));
    CHECK_FALSE(fs::exists(out / "busy" / kManifestFile));
    Result dry = run_idlab("sweep " + r + " --seeds 2 --dry-run" + o);
    INFO(dry.output);
    CHECK(dry.exit_code == 0);
    CHECK_THAT(dry.output, Catch::Contains("pending     data.kappa=20.0/seed1"));
    CHECK_FALSE(fs::exists(out / "s"));
    for (const char* help : {"sweep --help", "report --help"}) {
        Result h = run_idlab(help);
        CHECK(h.exit_code == 0);
        CHECK_THAT(h.output, Catch::StartsWith("usage: idlab"));
    }
}

TEST_CASE("a changed plan is refused, the folder alone reruns it as planned", "[sweep-cli]") {
    const fs::path out = scratch("cli-plan");
    const std::string r = "'" + recipe("sweep-small.toml") + "'";
    const std::string o = " --out '" + out.string() + "'";
    REQUIRE(run_idlab("sweep " + r + o).exit_code == 0);
    Result other = run_idlab("sweep " + r + " train.steps=100" + o);
    INFO(other.output);
    CHECK(other.exit_code == 2);
    CHECK_THAT(other.output, Catch::Contains("different base recipe") && Catch::Contains("was: steps = 200") &&
                                 Catch::Contains("now: steps = 100"));
    Result fewer = run_idlab("sweep " + r + " data.kappa=5.0,50.0" + o);
    INFO(fewer.output);
    CHECK(fewer.exit_code == 2);
    CHECK_THAT(fewer.output, Catch::Contains("different plan") && Catch::Contains("data.kappa=20.0/seed0"));
    Result folder = run_idlab("sweep '" + out.string() + "'");
    INFO(folder.output);
    CHECK(folder.exit_code == 0);
    CHECK_THAT(folder.output, Catch::Contains("(2 already done)"));
    CHECK(run_idlab("sweep '" + out.string() + "' data.kappa=1,2").exit_code == 2);
}

TEST_CASE("a sweep folder in use is refused with its holder, a job in use is left alone", "[sweep-cli]") {
    const fs::path out = scratch("cli-locks");
    const std::string command = "sweep '" + recipe("sweep-small.toml") + "' --out '" + out.string() + "'";
    {
        std::string held_by;
        auto lock = FileLock::try_take(out / kSweepLockFile, holder_text(getpid(), "the test"), held_by);
        REQUIRE(lock);
        Result refused = run_idlab(command);
        INFO(refused.output);
        CHECK(refused.exit_code == 1);
        CHECK_THAT(refused.output, Catch::Contains("is in use by pid " + std::to_string(getpid()) + " on host " + host_name()) &&
                                       Catch::Contains("the test"));
        CHECK_FALSE(is_sweep_folder(out));
    }
    REQUIRE(run_idlab(command).exit_code == 0);
    const std::string more = command + " --seeds 2";
    {
        // Another launcher runs one of the new jobs: this one leaves it alone.
        const fs::path busy = out / "data.kappa=5.0" / "seed1";
        fs::create_directories(busy);
        std::string held_by;
        auto job_lock = FileLock::try_take(busy / kJobLockFile, "pid 4242 on host node7", held_by);
        REQUIRE(job_lock);
        Result partial = run_idlab(more);
        INFO(partial.output);
        CHECK(partial.exit_code == 1);
        CHECK_THAT(partial.output, Catch::Contains("running 1 job, 1 at a time (2 already done, 1 running elsewhere)"));
        CHECK(state_of(out / "data.kappa=20.0/seed1") == JobState::Done);
        Result status = run_idlab("sweep --status '" + out.string() + "'");
        CHECK_THAT(status.output, Catch::Contains("running") && Catch::Contains("pid 4242 on host node7"));
    }
    Result rest = run_idlab(more);
    INFO(rest.output);
    CHECK(rest.exit_code == 0);
    CHECK_THAT(rest.output, Catch::Contains("running 1 job, 1 at a time (3 already done)"));
}

TEST_CASE("SIGTERM stops the sweep, the jobs checkpoint, a rerun resumes them to the same numbers", "[sweep-cli][resume]") {
    const fs::path out = scratch("cli-sigterm");
    const std::vector<std::string> training = {"train.steps=4000", "train.eval_every=500", "train.checkpoint_every=100"};
    std::vector<std::string> args = {"sweep", recipe("sweep-small.toml"), "--jobs", "2", "--out", (out / "sweep").string()};
    args.insert(args.begin() + 2, training.begin(), training.end());
    Background sweep{idlab_in_background(args, out / "sweep.log")};
    const bool started = wait_for(sweep, [&] {
        return evaluated_step(out / "sweep/data.kappa=5.0/seed0") >= 500 && evaluated_step(out / "sweep/data.kappa=20.0/seed0") >= 500;
    });
    if (sweep.alive()) kill(sweep.pid, SIGTERM);
    const int code = sweep.wait();
    const std::string log = read(out / "sweep.log");
    INFO(log);
    REQUIRE(started);
    CHECK(code == 130);
    CHECK_THAT(log, Catch::Contains("stopping: no new jobs"));
    for (const char* job : {"data.kappa=5.0/seed0", "data.kappa=20.0/seed0"}) {
        const JobStatus st = read_job_status(out / "sweep" / job);
        CHECK(st.state == JobState::Interrupted);
        CHECK(st.has_checkpoint);
    }
    Result rerun = run_idlab("sweep '" + (out / "sweep").string() + "' --jobs 2");
    INFO(rerun.output);
    CHECK(rerun.exit_code == 0);
    CHECK_THAT(rerun.output, Catch::Contains("(resuming from its checkpoint)"));
    Result reference = run_idlab("run '" + recipe("sweep-small.toml") + "' train.steps=4000 train.eval_every=500 "
                             "train.checkpoint_every=100 data.kappa=20.0 run.seed=0 --out '" + (out / "reference").string() + "'");
    REQUIRE(reference.exit_code == 0);
    CHECK(last_line(read(out / "sweep/data.kappa=20.0/seed0/metrics.jsonl")) == last_line(read(out / "reference/metrics.jsonl")));
}

TEST_CASE("a job killed with SIGKILL loses at most the steps since its checkpoint and finishes on rerun", "[sweep-cli][resume]") {
    const fs::path out = scratch("cli-sigkill");
    const std::string training = "train.steps=4000 train.eval_every=500 train.checkpoint_every=100 data.kappa=5.0";
    const std::vector<std::string> args = {"sweep", recipe("sweep-small.toml"), "train.steps=4000", "train.eval_every=500",
                                           "train.checkpoint_every=100", "data.kappa=5.0", "--out", (out / "sweep").string()};
    Background sweep{idlab_in_background(args, out / "sweep.log")};
    const fs::path job = out / "sweep" / "seed0";
    int64_t reached = 0;
    const bool started = wait_for(sweep, [&] { return (reached = evaluated_step(job)) >= 1500; });
    std::string error;
    auto progress = read_json_file((job / kProgressFile).string(), error);
    const pid_t run = progress ? static_cast<pid_t>(progress->number_or("pid", 0)) : 0;
    if (started && run > 1 && sweep.alive()) kill(run, SIGKILL);
    const int code = sweep.wait();
    const std::string log = read(out / "sweep.log");
    INFO(log);
    REQUIRE(started);
    REQUIRE(progress);
    CHECK(code == 1);
    CHECK_THAT(log, Catch::Contains("killed   seed0 (killed by SIGKILL)"));
    JobStatus st = read_job_status(job);
    CHECK(st.state == JobState::Interrupted);
    CHECK(st.has_checkpoint);

    Result rerun = run_idlab("sweep '" + (out / "sweep").string() + "'");
    INFO(rerun.output);
    CHECK(rerun.exit_code == 0);
    st = read_job_status(job);
    CHECK(st.state == JobState::Done);
    // The resumed attempt started from a checkpoint at most checkpoint_every steps before
    // the last evaluation seen before the kill (the kill came after it).
    CHECK(st.first_step - 1 >= reached - 100);
    Result reference = run_idlab("run '" + recipe("sweep-small.toml") + "' " + training + " run.seed=0 --out '" + (out / "reference").string() + "'");
    REQUIRE(reference.exit_code == 0);
    CHECK(last_line(read(job / "metrics.jsonl")) == last_line(read(out / "reference/metrics.jsonl")));
}
