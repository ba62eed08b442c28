// End-to-end tests of the `idlab` command, run as a user would run it.
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

namespace fs = std::filesystem;

namespace {

struct Result {
    int exit_code = -1;
    std::string output;  // stdout and stderr together
};

Result run(const std::string& args) {
    std::string cmd = std::string("cd '") + IDLAB_SOURCE_DIR + "' && '" + IDLAB_EXE + "' " + args + " 2>&1";
    Result r;
    FILE* pipe = popen(cmd.c_str(), "r");
    REQUIRE(pipe != nullptr);
    std::array<char, 4096> buf{};
    size_t n;
    while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) r.output.append(buf.data(), n);
    int status = pclose(pipe);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

fs::path work_dir(const std::string& name) {
    fs::path d = fs::path(IDLAB_TEST_WORK_DIR) / name;
    fs::remove_all(d);
    fs::create_directories(d.parent_path());
    return d;
}

std::string recipe(const std::string& name) { return std::string(IDLAB_TEST_RECIPES) + "/" + name; }

// The number after "key": in a flat JSON object.
double json_value(const std::string& json, const std::string& key) {
    std::smatch m;
    std::regex re("\"" + key + "\": (-?[0-9.eE+-]+)");
    if (!std::regex_search(json, m, re)) FAIL("no key '" << key << "' in " << json);
    return std::stod(m[1].str());
}

std::string fixture_recipe(const std::string& name) {
    return recipe(name) + " --plugin-path '" + IDLAB_CLI_FIXTURE_DIR + "'";
}

// Starts `idlab ARGS` in the background, waits until `wait_for` exists, sends `signal` and
// returns the exit status the shell reports (128 + N for a process killed by signal N).
int run_until(const std::string& args, const fs::path& wait_for, const char* signal) {
    const std::string cmd = "cd '" + std::string(IDLAB_SOURCE_DIR) + "' && { '" + IDLAB_EXE + "' " + args +
                            " >/dev/null 2>&1 & pid=$!; for i in $(seq 6000); do [ -e '" + wait_for.string() +
                            "' ] && break; sleep 0.01; done; kill -" + signal + " $pid; wait $pid; echo $?; } 2>/dev/null";
    FILE* pipe = popen(cmd.c_str(), "r");
    REQUIRE(pipe != nullptr);
    char buf[64] = {};
    const bool got = fgets(buf, sizeof(buf), pipe) != nullptr;
    pclose(pipe);
    REQUIRE(got);
    return std::stoi(buf);
}

// summary.json without the keys that hold timings, which no two runs share.
std::string without_timings(const std::string& summary) {
    static const std::regex timings("\"(seconds|train_seconds|steps_per_second|checkpoint_seconds)\": [^,]*, ");
    return std::regex_replace(summary, timings, "");
}

size_t line_count(const std::string& text) { return static_cast<size_t>(std::count(text.begin(), text.end(), '\n')); }

// The step `idlab run --resume` says it resumed from.
long resumed_step(const std::string& output) {
    std::smatch m;
    if (!std::regex_search(output, m, std::regex("resuming from .*checkpoint.ckpt at step ([0-9]+)"))) return -1;
    return std::stol(m[1].str());
}

}  // namespace

TEST_CASE("version and help", "[cli]") {
    Result v = run("version");
    CHECK(v.exit_code == 0);
    CHECK_THAT(v.output, Catch::Contains("plugin ABI 1."));
    for (const char* cmd : {"run --help", "check --help", "plugins --help", "version --help", "--help"}) {
        Result h = run(cmd);
        INFO(cmd << "\n" << h.output);
        CHECK(h.exit_code == 0);
        CHECK_THAT(h.output, Catch::Contains("usage: idlab"));
    }
}

TEST_CASE("usage errors exit with 2", "[cli]") {
    CHECK(run("frobnicate").exit_code == 2);
    CHECK(run("run").exit_code == 2);
    CHECK(run("run a.toml b.toml").exit_code == 2);
    CHECK(run("check --bogus x.toml").exit_code == 2);
    Result missing = run("check does-not-exist.toml");
    CHECK(missing.exit_code == 2);
    CHECK_THAT(missing.output, Catch::Contains("does-not-exist.toml"));
}

TEST_CASE("plugins lists the core components and describes one", "[cli]") {
    Result list = run("plugins");
    INFO(list.output);
    CHECK(list.exit_code == 0);
    for (const char* id : {"core.vmf_clusters", "core.mlp", "core.cross_entropy", "core.adam", "core.linear_r2"})
        CHECK_THAT(list.output, Catch::Contains(id));
    Result d = run("plugins describe core.mlp");
    INFO(d.output);
    CHECK(d.exit_code == 0);
    CHECK_THAT(d.output, Catch::Contains("hidden"));
    CHECK_THAT(d.output, Catch::Contains("batch_norm"));
    CHECK(run("plugins describe core.nope").exit_code == 2);
}

TEST_CASE("check lists every mistake of a recipe with file:line:col", "[cli]") {
    Result r = run("check " + recipe("three-mistakes.toml"));
    INFO(r.output);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.output, Catch::Contains("three-mistakes.toml:7:1: error: unknown parameter 'kapa' for 'core.vmf_clusters'"));
    CHECK_THAT(r.output, Catch::Contains("three-mistakes.toml:12:14: error: 'encoder.batch_norm' expects a boolean"));
    CHECK_THAT(r.output, Catch::Contains("three-mistakes.toml:20:6: error: 'optimizer.lr' must be > 0"));
    CHECK_THAT(r.output, Catch::Contains("did you mean 'kappa'?"));
    CHECK_THAT(r.output, Catch::Contains("3 errors"));
}

TEST_CASE("a bad override is reported at <cli:N>", "[cli]") {
    Result r = run("check " + recipe("e2e-small.toml") + " train.steps=10 data.kappa=abc");
    INFO(r.output);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.output, Catch::Contains("<cli:2>"));
    CHECK_THAT(r.output, Catch::Contains("'data.kappa' expects a float"));
    CHECK(run("check " + recipe("e2e-small.toml") + " train.steps=10 data.kappa=20").exit_code == 0);
}

TEST_CASE("a short run writes its folder and beats the mixing alone", "[cli][e2e]") {
    fs::path out = work_dir("e2e-a");
    Result r = run("run " + recipe("e2e-small.toml") + " --out '" + out.string() + "'");
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    for (const char* f : {"recipe.resolved.toml", "metrics.jsonl", "summary.json", "log.txt"})
        CHECK(fs::exists(out / f));
    std::string summary = read_file(out / "summary.json");
    INFO(summary);
    CHECK(json_value(summary, "steps") == 4000);
    CHECK(json_value(summary, "steps_per_second") > 0);
    CHECK(json_value(summary, "seconds") > 0);
    const double r2 = json_value(summary, "linear_r2");
    std::smatch m;
    REQUIRE(std::regex_search(summary, m, std::regex("\"baseline\": \\{\"linear_r2\": (-?[0-9.eE+-]+)")));
    const double baseline = std::stod(m[1].str());
    CHECK(r2 > baseline + 0.05);
    CHECK(r2 > 0.85);
    std::string metrics = read_file(out / "metrics.jsonl");
    CHECK(std::count(metrics.begin(), metrics.end(), '\n') == 2);
    CHECK_THAT(metrics, Catch::StartsWith("{\"step\": 2000, \"loss\": "));
    CHECK_THAT(read_file(out / "log.txt"), Catch::Contains("step 4000"));

    SECTION("the same recipe and seed give an identical metrics.jsonl") {
        fs::path again = work_dir("e2e-b");
        REQUIRE(run("run " + recipe("e2e-small.toml") + " --out '" + again.string() + "'").exit_code == 0);
        CHECK(read_file(again / "metrics.jsonl") == metrics);
    }
    SECTION("the resolved recipe reproduces the run") {
        fs::path again = work_dir("e2e-c");
        std::string resolved = read_file(out / "recipe.resolved.toml");
        CHECK_THAT(resolved, Catch::Contains("mixing_trials = 200"));
        CHECK_THAT(resolved, Catch::Contains("batch_norm = true"));  // a default, filled in
        REQUIRE(run("run '" + (out / "recipe.resolved.toml").string() + "' --out '" + again.string() + "'").exit_code == 0);
        CHECK(read_file(again / "metrics.jsonl") == metrics);
    }
    SECTION("another seed gives other numbers") {
        fs::path other = work_dir("e2e-d");
        REQUIRE(run("run " + recipe("e2e-small.toml") + " run.seed=2 --out '" + other.string() + "'").exit_code == 0);
        CHECK(read_file(other / "metrics.jsonl") != metrics);
    }
}

TEST_CASE("run.threads = 2 repeats itself bit for bit and agrees with one thread", "[cli][e2e][threads]") {
    // The components split their work over a team of threads; a given thread count always
    // splits it the same way. Between 1 and 2 threads only the matrix products are cut
    // differently (rows per sgemm call, the weight gradient's sum over the batch in two parts),
    // so the runs differ by float rounding, which training amplifies slowly.
    const std::string steps = " train.steps=600 train.eval_every=300";
    fs::path one = work_dir("threads-1"), two = work_dir("threads-2"), again = work_dir("threads-2b");
    REQUIRE(run("run " + recipe("e2e-small.toml") + steps + " run.threads=1 --out '" + one.string() + "'").exit_code == 0);
    REQUIRE(run("run " + recipe("e2e-small.toml") + steps + " run.threads=2 --out '" + two.string() + "'").exit_code == 0);
    REQUIRE(run("run " + recipe("e2e-small.toml") + steps + " run.threads=2 --out '" + again.string() + "'").exit_code == 0);
    const std::string metrics = read_file(two / "metrics.jsonl");
    CHECK(read_file(again / "metrics.jsonl") == metrics);

    const std::string s1 = read_file(one / "summary.json"), s2 = read_file(two / "summary.json");
    INFO(s1 << "\n" << s2);
    CHECK(json_value(s2, "loss") == Approx(json_value(s1, "loss")).epsilon(1e-3));
    CHECK(json_value(s2, "linear_r2") == Approx(json_value(s1, "linear_r2")).margin(0.02));
}

TEST_CASE("a failing component stops the run with its id, step and message", "[cli]") {
    fs::path out = work_dir("failing");
    Result r = run("run " + recipe("failing.toml") + " --plugin-path '" + IDLAB_CLI_FIXTURE_DIR +
                   "' --out '" + out.string() + "'");
    INFO(r.output);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.output, Catch::Contains("error: data 'fixture.failing_data' failed at step 2: fixture failure at step 2"));
    CHECK_THAT(r.output, Catch::Contains("note: data 'fixture.failing_data' is configured at "));
    CHECK_THAT(r.output, Catch::Contains("failing.toml:"));
    CHECK_THAT(read_file(out / "summary.json"), Catch::Contains("\"error\""));
}

TEST_CASE("SIGINT stops at a step boundary, evaluates and writes everything", "[cli][e2e]") {
    fs::path out = work_dir("interrupted");
    // A long run, interrupted after two seconds.
    // Interrupt once training has started (the baseline is logged just before the first step),
    // however loaded the machine is; the 60 s bound only guards against a hang.
    const std::string log = (out / "log.txt").string();
    std::string cmd = "cd '" + std::string(IDLAB_SOURCE_DIR) + "' && { '" + IDLAB_EXE + "' run " +
                      recipe("e2e-small.toml") + " train.steps=1000000 train.eval_every=1000000 --out '" +
                      out.string() + "' >/dev/null 2>&1 & pid=$!; for i in $(seq 600); do " +
                      "grep -q baseline '" + log + "' 2>/dev/null && break; sleep 0.1; done; sleep 1; " +
                      "kill -INT $pid; wait $pid; echo $?; } 2>/dev/null";
    FILE* pipe = popen(cmd.c_str(), "r");
    REQUIRE(pipe != nullptr);
    char buf[64] = {};
    REQUIRE(fgets(buf, sizeof(buf), pipe) != nullptr);
    pclose(pipe);
    CHECK(std::stoi(buf) == 130);
    std::string summary = read_file(out / "summary.json");
    INFO(summary);
    CHECK_THAT(summary, Catch::Contains("\"interrupted\": true"));
    CHECK_THAT(summary, Catch::Contains("\"status\": \"interrupted\""));
    CHECK(fs::exists(out / "checkpoint.ckpt"));
    CHECK(json_value(summary, "steps") > 0);
    CHECK(json_value(summary, "steps") < 1000000);
    CHECK(json_value(summary, "linear_r2") > 0);
    std::string metrics = read_file(out / "metrics.jsonl");
    CHECK(std::count(metrics.begin(), metrics.end(), '\n') == 1);
}

TEST_CASE("a killed or terminated run goes on with --resume and ends as an uninterrupted one", "[cli][e2e][resume]") {
    const std::string resume_recipe = fixture_recipe("e2e-resume.toml");
    const std::string plugins = std::string(" --plugin-path '") + IDLAB_CLI_FIXTURE_DIR + "'";
    const fs::path ref = work_dir("resume-reference");
    REQUIRE(run("run " + resume_recipe + " --out '" + ref.string() + "'").exit_code == 0);
    const std::string metrics = read_file(ref / "metrics.jsonl");
    const std::string summary = read_file(ref / "summary.json");
    REQUIRE(line_count(metrics) == 4);  // steps 100, 200, 300, 400
    CHECK_THAT(summary, Catch::Contains("\"status\": \"completed\""));

    // SIGKILL right after the first checkpoint: no summary, no chance to clean up.
    const fs::path killed = work_dir("resume-killed");
    CHECK(run_until("run " + resume_recipe + " --out '" + killed.string() + "'", killed / "checkpoint.ckpt", "KILL") ==
          128 + 9);
    CHECK_FALSE(fs::exists(killed / "summary.json"));
    Result resumed = run("run --resume '" + killed.string() + "'" + plugins);
    INFO(resumed.output);
    REQUIRE(resumed.exit_code == 0);
    const long step = resumed_step(resumed.output);
    CHECK(step > 0);
    CHECK(step < 400);  // it lost at most the steps since its last checkpoint (every 40)
    CHECK(step % 40 == 0);
    CHECK(read_file(killed / "metrics.jsonl") == metrics);
    CHECK(without_timings(read_file(killed / "summary.json")) == without_timings(summary));
    const std::string log = read_file(killed / "log.txt");
    CHECK_THAT(log, Catch::Contains("run 'e2e-resume' ->") && Catch::Contains("resuming run 'e2e-resume'"));

    // SIGTERM: stops at a step boundary, evaluates, checkpoints and exits 130.
    const fs::path terminated = work_dir("resume-terminated");
    CHECK(run_until("run " + resume_recipe + " --out '" + terminated.string() + "'", terminated / "checkpoint.ckpt",
                    "TERM") == 130);
    const std::string interrupted = read_file(terminated / "summary.json");
    INFO(interrupted);
    CHECK_THAT(interrupted, Catch::Contains("\"status\": \"interrupted\""));
    CHECK(json_value(interrupted, "steps") < 400);
    Result again = run("run --resume '" + terminated.string() + "'" + plugins);
    INFO(again.output);
    REQUIRE(again.exit_code == 0);
    CHECK(resumed_step(again.output) == static_cast<long>(json_value(interrupted, "steps")));
    CHECK(read_file(terminated / "metrics.jsonl") == metrics);
    CHECK(without_timings(read_file(terminated / "summary.json")) == without_timings(summary));

    // A completed run says so and trains nothing.
    Result done = run("run --resume '" + terminated.string() + "'" + plugins);
    CHECK(done.exit_code == 0);
    CHECK_THAT(done.output, Catch::Contains("is already completed; nothing to do"));
    CHECK(read_file(terminated / "metrics.jsonl") == metrics);
    // Killed after its final checkpoint but before its summary: the summary follows from it.
    fs::remove(terminated / "summary.json");
    Result rewritten = run("run --resume '" + terminated.string() + "'" + plugins);
    CHECK(rewritten.exit_code == 0);
    CHECK_THAT(rewritten.output, Catch::Contains("summary.json is written from its checkpoint"));
    CHECK(without_timings(read_file(terminated / "summary.json")) == without_timings(summary));
}

TEST_CASE("run --resume refuses a damaged or mismatched checkpoint and says what to do", "[cli][resume]") {
    const std::string plugins = std::string(" --plugin-path '") + IDLAB_CLI_FIXTURE_DIR + "'";
    const fs::path base = work_dir("refuse-base");
    REQUIRE(run("run " + fixture_recipe("e2e-resume.toml") + " train.steps=40 --out '" + base.string() + "'").exit_code == 0);
    auto copy_of = [&](const std::string& name) {
        const fs::path d = work_dir(name);
        fs::copy(base, d, fs::copy_options::recursive);
        return d;
    };
    auto hint = [](const fs::path& d) {
        return "hint: a checkpoint only continues the exact run that made it; to train this recipe, start a fresh "
               "run folder: idlab run '" + (d / "recipe.resolved.toml").string() + "' --out NEW_DIR";
    };

    SECTION("a damaged checkpoint names the file and the damage") {
        const fs::path d = copy_of("refuse-damaged");
        std::string bytes = read_file(d / "checkpoint.ckpt");
        bytes[bytes.size() / 2] ^= 0x10;
        std::ofstream(d / "checkpoint.ckpt", std::ios::binary | std::ios::trunc) << bytes;
        Result r = run("run --resume '" + d.string() + "'" + plugins);
        INFO(r.output);
        CHECK(r.exit_code == 2);
        CHECK_THAT(r.output, Catch::Contains("error: cannot resume from '" + (d / "checkpoint.ckpt").string() +
                                             "': checksum mismatch (stored 0x"));
        CHECK_THAT(r.output, Catch::Contains("): the file is damaged"));
        CHECK_THAT(r.output, Catch::Contains(hint(d)));
        CHECK(read_file(d / "summary.json") == read_file(base / "summary.json"));  // left as it was
    }
    SECTION("a truncated checkpoint") {
        const fs::path d = copy_of("refuse-truncated");
        const std::string bytes = read_file(d / "checkpoint.ckpt");
        std::ofstream(d / "checkpoint.ckpt", std::ios::binary | std::ios::trunc) << bytes.substr(0, 100);
        Result r = run("run --resume '" + d.string() + "'" + plugins);
        INFO(r.output);
        CHECK(r.exit_code == 2);
        CHECK_THAT(r.output, Catch::Contains("': truncated: the file has 100 bytes, its header announces " +
                                             std::to_string(bytes.size())));
    }
    SECTION("an edited recipe says what changed") {
        const fs::path d = copy_of("refuse-edited");
        std::string toml = read_file(d / "recipe.resolved.toml");
        const size_t at = toml.find("steps = 40");
        REQUIRE(at != std::string::npos);
        toml.replace(at, 10, "steps = 80");
        std::ofstream(d / "recipe.resolved.toml", std::ios::trunc) << toml;
        Result r = run("run --resume '" + d.string() + "'" + plugins);
        INFO(r.output);
        CHECK(r.exit_code == 2);
        CHECK_THAT(r.output, Catch::Contains("error: cannot resume from '" + (d / "checkpoint.ckpt").string() +
                                             "': it was made from another pipeline\nnote: [train] steps: 40 in the "
                                             "checkpoint, 80 now\n" + hint(d)));
    }
    SECTION("a folder without a checkpoint starts from step 0") {
        const fs::path d = work_dir("refuse-fresh");
        fs::create_directories(d);
        fs::copy_file(base / "recipe.resolved.toml", d / "recipe.resolved.toml");
        Result r = run("run --resume '" + d.string() + "'" + plugins);
        INFO(r.output);
        CHECK(r.exit_code == 0);
        CHECK_THAT(r.output, Catch::Contains("has no checkpoint yet: starting from step 0"));
        CHECK(read_file(d / "metrics.jsonl") == read_file(base / "metrics.jsonl"));
    }
    SECTION("usage") {
        Result with_recipe = run("run --resume '" + base.string() + "' " + recipe("e2e-resume.toml"));
        CHECK(with_recipe.exit_code == 2);
        CHECK_THAT(with_recipe.output, Catch::Contains("--resume DIR takes no recipe and no overrides"));
        CHECK(run("run --resume '" + base.string() + "' --out x").exit_code == 2);
        Result nowhere = run("run --resume '" + (base / "nope").string() + "'");
        CHECK(nowhere.exit_code == 2);
        CHECK_THAT(nowhere.output, Catch::Contains("is not a run folder: it has no recipe.resolved.toml"));
    }
}

TEST_CASE("keep_best writes best.ckpt and the best evaluation, stop_metric stops the run early", "[cli][e2e]") {
    const fs::path out = work_dir("best-and-stop");
    Result r = run("run " + fixture_recipe("e2e-resume.toml") +
                   " data.delay_ms=0 train.keep_best=linear_r2 train.stop_metric=linear_r2 train.stop_above=-1e9"
                   " --out '" + out.string() + "'");
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    const std::string summary = read_file(out / "summary.json");
    INFO(summary);
    CHECK(json_value(summary, "steps") == 100);  // the first evaluation exceeds -1e9
    CHECK_THAT(summary, Catch::Contains("\"stopped_early\": true"));
    CHECK_THAT(summary, Catch::Contains("\"status\": \"completed\""));
    CHECK_THAT(summary, Catch::Contains("\"best\": {\"step\": 100, \"loss\": "));
    CHECK(fs::exists(out / "best.ckpt"));
    CHECK(line_count(read_file(out / "metrics.jsonl")) == 1);
}

TEST_CASE("every shipped recipe passes idlab check", "[cli][recipes]") {
    // Fragments under recipes/base/ are not complete recipes; everything else must check clean.
    size_t checked = 0;
    for (const auto& entry : fs::recursive_directory_iterator(fs::path(IDLAB_SOURCE_DIR) / "recipes")) {
        if (!entry.is_regular_file() || entry.path().extension() != ".toml") continue;
        if (entry.path().parent_path().filename() == "base") continue;
        Result r = run("check '" + entry.path().string() + "'");
        INFO(entry.path().string() << "\n" << r.output);
        CHECK(r.exit_code == 0);
        ++checked;
    }
    CHECK(checked >= 40);
}

TEST_CASE("metrics that cannot score x are left out of the baseline, not fatal", "[cli][e2e]") {
    fs::path out = work_dir("head-metrics");
    Result r = run("run " + recipe("e2e-head-metrics.toml") + " --out '" + out.string() + "'");
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    std::string summary = read_file(out / "summary.json");
    INFO(summary);
    std::smatch m;
    REQUIRE(std::regex_search(summary, m, std::regex("\"baseline\": \\{([^}]*)\\}")));
    const std::string baseline = m[1].str();
    CHECK_THAT(baseline, Catch::Contains("linear_r2"));
    CHECK_THAT(baseline, !Catch::Contains("accuracy"));
    CHECK(json_value(summary, "accuracy") > 0.0);
}

TEST_CASE("DIET with unit-norm head rows recovers the latents up to an orthogonal map", "[cli][e2e]") {
    fs::path out = work_dir("diet-normalized");
    Result r = run("run " + recipe("e2e-diet-normalized.toml") + " --out '" + out.string() + "'");
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    std::string summary = read_file(out / "summary.json");
    INFO(summary);
    CHECK(json_value(summary, "linear_r2_o") > 0.9);   // z~ -> z, linear map without intercept
    CHECK(json_value(summary, "head_r2_o") > 0.9);     // w_i -> v_c
    CHECK(json_value(summary, "sv_mae") < 0.05);       // singular values near 1/kappa
}
