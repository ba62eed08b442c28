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
                      "kill -INT $pid; wait $pid; echo $?; }";
    FILE* pipe = popen(cmd.c_str(), "r");
    REQUIRE(pipe != nullptr);
    char buf[64] = {};
    REQUIRE(fgets(buf, sizeof(buf), pipe) != nullptr);
    pclose(pipe);
    CHECK(std::stoi(buf) == 130);
    std::string summary = read_file(out / "summary.json");
    INFO(summary);
    CHECK_THAT(summary, Catch::Contains("\"interrupted\": true"));
    CHECK(json_value(summary, "steps") > 0);
    CHECK(json_value(summary, "steps") < 1000000);
    CHECK(json_value(summary, "linear_r2") > 0);
    std::string metrics = read_file(out / "metrics.jsonl");
    CHECK(std::count(metrics.begin(), metrics.end(), '\n') == 1);
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
