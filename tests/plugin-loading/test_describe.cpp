// The text of `idlab plugins` and `idlab plugins describe ID`, pinned against the fixtures.
#include "plugin/describe.hpp"
#include "plugin/registry.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

namespace fs = std::filesystem;
using idlab::host::format_component;
using idlab::host::format_plugin_list;
using idlab::host::Registry;

namespace {

const std::string kHostAbi =
    std::to_string(IDLAB_ABI_VERSION_MAJOR) + "." + std::to_string(IDLAB_ABI_VERSION_MINOR);

}  // namespace

TEST_CASE("describe shows parameters, types, defaults, ranges, choices and docs", "[describe]") {
    const std::string file = PLFIX_GOOD;
    Registry registry;
    REQUIRE(registry.load_file(file));
    const idlab::host::ComponentRef* good = registry.find("fixture.good").component;
    REQUIRE(good != nullptr);
    CHECK(format_component(*good) ==
          "fixture.good  (metric)\n"
          "  summary:  A metric that reports a constant\n"
          "  version:  2.3.4\n"
          "  devices:  cpu\n"
          "  plugin:   test.fixture.good 0.9.1 (available)\n"
          "  file:     " + file + "\n"
          "\n"
          "  Used by the plugin-loading tests.\n"
          "  Reports `scale` for every evaluation.\n"
          "\n"
          "parameters:\n"
          "  name     type      default     range    choices   doc\n"
          "  scale    float     1.5         > 0      -         the value reported\n"
          "  repeats  int       (required)  -        -         how often\n"
          "  mode     string    \"mean\"      -        mean|sum  how values combine\n"
          "  widths   int list  [1, 2]      [1, 10]  -         list parameter\n");
}

TEST_CASE("describe of an unavailable component says why", "[describe]") {
    const std::string file = PLFIX_NO_CUDA;
    Registry registry;
    REQUIRE(registry.load_file(file));
    REQUIRE(registry.components().size() == 1);
    CHECK(format_component(registry.components()[0]) ==
          "fixture.cuda  (metric)\n"
          "  summary:  hand-written fixture\n"
          "  version:  1.0.0\n"
          "  devices:  cuda\n"
          "  plugin:   test.fixture.c 0.0.1 (unavailable: no CUDA device)\n"
          "  file:     " + file + "\n"
          "\n"
          "parameters:\n"
          "  name   type  default  range  choices  doc\n"
          "  level  int   3        >= 0   -        a parameter\n");
}

TEST_CASE("the plugin list groups components and ends with the refused files", "[describe]") {
    const std::string good = PLFIX_GOOD;
    const std::string no_cuda = PLFIX_NO_CUDA;
    const std::string wrong_major = PLFIX_WRONG_MAJOR;
    Registry registry;
    registry.load_directories({fs::path(good).parent_path(), fs::path(no_cuda).parent_path(),
                               fs::path(wrong_major).parent_path()});
    CHECK(format_plugin_list(registry) ==
          "test.fixture.good 0.9.1  (ABI " + kHostAbi + ", available)\n"
          "  A plugin that loads\n"
          "  file: " + good + "\n"
          "  metric:\n"
          "    fixture.good  A metric that reports a constant\n"
          "\n"
          "test.fixture.c 0.0.1  (ABI " + kHostAbi + ", unavailable: no CUDA device)\n"
          "  a hand-written entry\n"
          "  file: " + no_cuda + "\n"
          "  metric:\n"
          "    fixture.cuda  hand-written fixture\n"
          "\n"
          "error: " + registry.problems().at(0).message + "\n");
    CHECK_THAT(registry.problems().at(0).message,
               Catch::StartsWith("incompatible plugin '" + wrong_major + "'"));
}

TEST_CASE("an empty search path lists no plugins", "[describe]") {
    Registry registry;
    registry.load_directories({fs::path(PLFIX_ROOT) / "no-such-folder"});
    CHECK(format_plugin_list(registry) == "no plugins found\n");
}
