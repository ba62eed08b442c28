// Where the host looks for plugins, and in which order it loads what it finds there:
// each --plugin-path DIR, then IDLAB_PLUGIN_PATH, then the folder next to the executable.
#include "plugin/registry.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using idlab::host::plugin_search_path;
using idlab::host::Registry;

namespace {

// Sets (or, with nullptr, unsets) an environment variable for one scope.
class ScopedEnv {
public:
    ScopedEnv(const char* name, const char* value) : name_(name) {
        if (const char* old = std::getenv(name)) old_ = old;
        if (value)
            ::setenv(name, value, 1);
        else
            ::unsetenv(name);
    }
    ~ScopedEnv() {
        if (old_)
            ::setenv(name_.c_str(), old_->c_str(), 1);
        else
            ::unsetenv(name_.c_str());
    }
    ScopedEnv(const ScopedEnv&) = delete;
    ScopedEnv& operator=(const ScopedEnv&) = delete;

private:
    std::string name_;
    std::optional<std::string> old_;
};

fs::path fixture_dir(const char* name) { return fs::path(PLFIX_ROOT) / name; }

// An empty folder of this test's own.
fs::path work_dir(const std::string& name) {
    fs::path dir = fs::path(PLUGIN_LOADING_WORK_DIR) / name;
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

bool same_folder(const fs::path& a, const fs::path& b) {
    return fs::weakly_canonical(a) == fs::weakly_canonical(b);
}

// The problem message of the registry that mentions `id`, or "" when none does.
std::string problem_about(const Registry& registry, const std::string& id) {
    for (const auto& p : registry.problems())
        if (p.message.find("'" + id + "'") != std::string::npos) return p.message;
    return "";
}

}  // namespace

TEST_CASE("without options the default folder is the one next to the executable", "[search-path]") {
    ScopedEnv env("IDLAB_PLUGIN_PATH", nullptr);
    std::vector<fs::path> path = plugin_search_path({});
    REQUIRE(path.size() == 1);
    // The build tree mirrors the install tree: bin/<exe> and lib/idlab/plugins.
    CHECK(same_folder(path[0], IDLAB_BUILD_PLUGIN_DIR));
}

TEST_CASE("each --plugin-path folder comes first, then IDLAB_PLUGIN_PATH, then the default",
          "[search-path]") {
    ScopedEnv env("IDLAB_PLUGIN_PATH", "/env/one::/env/two:");  // empty entries are skipped
    std::vector<fs::path> path = plugin_search_path({"/cli/a", "/cli/b"});
    REQUIRE(path.size() == 5);
    CHECK(path[0] == "/cli/a");
    CHECK(path[1] == "/cli/b");
    CHECK(path[2] == "/env/one");
    CHECK(path[3] == "/env/two");
    CHECK(same_folder(path[4], IDLAB_BUILD_PLUGIN_DIR));
}

TEST_CASE("an empty IDLAB_PLUGIN_PATH adds nothing", "[search-path]") {
    ScopedEnv env("IDLAB_PLUGIN_PATH", "");
    std::vector<fs::path> path = plugin_search_path({"/cli/a"});
    REQUIRE(path.size() == 2);
    CHECK(path[0] == "/cli/a");
    CHECK(same_folder(path[1], IDLAB_BUILD_PLUGIN_DIR));
}

TEST_CASE("folders load in search order: the first provider of an id is kept", "[search-path]") {
    const std::string good = PLFIX_GOOD;
    const std::string duplicate = PLFIX_DUPLICATE;
    // Both fixtures provide fixture.good; the clash names the earlier file first.
    SECTION("--plugin-path before IDLAB_PLUGIN_PATH") {
        ScopedEnv env("IDLAB_PLUGIN_PATH", fixture_dir("good").c_str());
        Registry registry;
        registry.load_directories(plugin_search_path({fixture_dir("duplicate").string()}));
        CHECK(problem_about(registry, "fixture.good") ==
              "component 'fixture.good' is provided by both '" + duplicate + "' and '" + good + "'");
    }
    SECTION("IDLAB_PLUGIN_PATH entries in their order") {
        const std::string list = fixture_dir("good").string() + ":" + fixture_dir("duplicate").string();
        ScopedEnv env("IDLAB_PLUGIN_PATH", list.c_str());
        Registry registry;
        registry.load_directories(plugin_search_path({}));
        CHECK(problem_about(registry, "fixture.good") ==
              "component 'fixture.good' is provided by both '" + good + "' and '" + duplicate + "'");
    }
}

TEST_CASE("files of one folder load in name order", "[search-path]") {
    fs::path dir = work_dir("name-order");
    // Links reach the same code under names that sort the other way round from the fixtures.
    fs::create_symlink(PLFIX_DUPLICATE, dir / "libidlab-a.so");
    fs::create_symlink(PLFIX_GOOD, dir / "libidlab-b.so");
    Registry registry;
    registry.load_directories({dir});
    REQUIRE(registry.plugins().size() == 2);
    CHECK(registry.plugins()[0]->file == (dir / "libidlab-a.so").string());
    CHECK(registry.plugins()[1]->file == (dir / "libidlab-b.so").string());
    CHECK(problem_about(registry, "fixture.good") ==
          "component 'fixture.good' is provided by both '" + (dir / "libidlab-a.so").string() +
              "' and '" + (dir / "libidlab-b.so").string() + "'");
}

TEST_CASE("only *.so files are candidates, missing folders are skipped", "[search-path]") {
    fs::path dir = work_dir("mixed");
    fs::create_symlink(PLFIX_GOOD, dir / "libidlab-good.so");
    fs::create_symlink(PLFIX_GOOD, dir / "libidlab-good.so.disabled");
    std::FILE* notes = std::fopen((dir / "README.txt").c_str(), "w");
    REQUIRE(notes != nullptr);
    std::fputs("not a plugin\n", notes);
    std::fclose(notes);
    fs::create_directory(dir / "sub.so");  // a folder named like a plugin is no plugin

    Registry registry;
    registry.load_directories({dir / "does-not-exist", dir});
    CHECK(registry.problems().empty());
    REQUIRE(registry.plugins().size() == 1);
    CHECK(registry.plugins()[0]->file == (dir / "libidlab-good.so").string());
}

TEST_CASE("a folder listed twice loads its plugins once", "[search-path]") {
    Registry registry;
    registry.load_directories({fixture_dir("good"), fixture_dir("good"), fixture_dir("good") / "."});
    CHECK(registry.problems().empty());
    CHECK(registry.plugins().size() == 1);
    CHECK(registry.components().size() == 1);
}
