// What a user sees of the CUDA plugin through the `idlab` command, wherever the tests run: on a
// machine without a GPU the plugin is listed as unavailable with the reason and a recipe that
// asks for run.device = "cuda" fails with "no CUDA device" (at `check` and `run` time, before
// anything runs); where nvcc was missing the plugin is not there at all and the recipe fails
// the same way; CPU recipes are unaffected either way. On a GPU machine the plugin is
// available and the same recipe checks.
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <string>

namespace fs = std::filesystem;

namespace {

struct Result {
    int exit_code = -1;
    std::string output;
};

Result idlab(const std::string& args) {
    const std::string cmd = "cd '" + std::string(IDLAB_SOURCE_DIR) + "' && '" + IDLAB_EXE + "' " + args + " 2>&1";
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

const fs::path kCudaPlugin = fs::path(IDLAB_BUILD_PLUGIN_DIR) / "libidlab-cuda.so";

// "available" or "unavailable: <reason>" as `idlab plugins` lists the CUDA plugin; "" when absent.
std::string cuda_plugin_status(const std::string& listing) {
    const std::string head = "idlab.cuda ";
    const size_t at = listing.find(head);
    if (at == std::string::npos) return "";
    const size_t open = listing.find(", ", at), close = listing.find('\n', at);
    return listing.substr(open + 2, listing.rfind(')', close) - open - 2);
}

}  // namespace

TEST_CASE("idlab plugins lists the CUDA plugin, unavailable with the reason where there is no GPU", "[cuda][cli]") {
    const Result list = idlab("plugins");
    INFO(list.output);
    REQUIRE(list.exit_code == 0);
    const std::string status = cuda_plugin_status(list.output);
    if (!fs::exists(kCudaPlugin)) {
        std::printf("the CUDA plugin is not built here (no nvcc): checking that it is not listed\n");
        CHECK(status.empty());
        return;
    }
    REQUIRE_FALSE(status.empty());
    if (status == "available") {
        std::printf("a GPU is present: the CUDA plugin is available\n");
        return;
    }
    CHECK_THAT(status, Catch::StartsWith("unavailable: no CUDA device ("));
    // Its components are still listed, each under the id of its CPU counterpart.
    for (const char* id : {"core.vmf_clusters", "core.mlp", "core.cross_entropy", "core.infonce", "core.adam"})
        CHECK_THAT(list.output.substr(list.output.find("idlab.cuda ")), Catch::Contains(id));
    // Being there changes nothing for the CPU components: no clash is reported.
    CHECK_THAT(list.output, !Catch::Contains("provided by both"));
}

TEST_CASE("a recipe for run.device = cuda fails with 'no CUDA device' where it cannot run", "[cuda][cli]") {
    const std::string recipe = "recipes/paper/table2-default-a.toml";
    const std::string status = cuda_plugin_status(idlab("plugins").output);
    const Result check = idlab("check " + recipe + " run.device=cuda");
    INFO(check.output);
    if (status == "available") {
        std::printf("a GPU is present: the recipe checks on it\n");
        CHECK(check.exit_code == 0);
        return;
    }
    CHECK(check.exit_code == 2);
    CHECK_THAT(check.output, Catch::Contains("<cli:1>:1:12: error: run.device = \"cuda\" cannot be used here: no CUDA device: "));
    CHECK_THAT(check.output, Catch::Contains("1 error in"));  // once, not once per stage
    if (fs::exists(kCudaPlugin)) CHECK_THAT(check.output, Catch::Contains("plugin 'idlab.cuda'"));
    else CHECK_THAT(check.output, Catch::Contains("no loaded plugin serves the device 'cuda'"));

    // `run` refuses it before creating anything.
    const fs::path out = fs::path(CUDA_CLI_WORK_DIR) / "refused";
    fs::remove_all(out);
    const Result run = idlab("run " + recipe + " run.device=cuda --out '" + out.string() + "'");
    INFO(run.output);
    CHECK(run.exit_code == 2);
    CHECK_THAT(run.output, Catch::Contains("no CUDA device"));
    CHECK_FALSE(fs::exists(out));
}

TEST_CASE("CPU recipes check as before with the CUDA plugin on the search path", "[cuda][cli]") {
    for (const char* recipe : {"recipes/paper/table2-default-a.toml", "recipes/paper/table3-default.toml",
                               "recipes/clica/box-normal.toml"}) {
        const Result r = idlab(std::string("check ") + recipe);
        INFO(r.output);
        CHECK(r.exit_code == 0);
        CHECK_THAT(r.output, !Catch::Contains("error"));
    }
}
