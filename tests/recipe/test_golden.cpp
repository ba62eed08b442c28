// Golden bad recipes: every tests/data/bad-recipes/NAME.toml gives exactly NAME.expected.
#include "recipe_files.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>

namespace fs = std::filesystem;
using namespace idlab::test;

namespace {

std::vector<std::string> read_lines(const fs::path& file) {
    std::vector<std::string> lines;
    std::ifstream in(file);
    for (std::string line; std::getline(in, line);)
        if (!line.empty()) lines.push_back(line);
    return lines;
}

// Paths in diagnostics are made relative to the golden folder so expected files are stable.
std::string relative_to(const std::string& text, const std::string& dir) {
    std::string out = text;
    const std::string prefix = dir + "/";
    for (size_t at = out.find(prefix); at != std::string::npos; at = out.find(prefix, at))
        out.erase(at, prefix.size());
    return out;
}

}  // namespace

TEST_CASE("golden bad recipes give exactly their expected diagnostics", "[recipe][golden]") {
    const std::string dir = IDLAB_BAD_RECIPES_DIR;
    const bool update = std::getenv("IDLAB_UPDATE_GOLDEN") != nullptr;
    std::vector<fs::path> cases;
    for (const auto& entry : fs::directory_iterator(dir))
        if (entry.path().extension() == ".toml") cases.push_back(entry.path());
    std::sort(cases.begin(), cases.end());
    // The folder is the test: losing its cases must not pass silently.
    REQUIRE(cases.size() >= 15);

    for (const fs::path& recipe : cases) {
        DYNAMIC_SECTION(recipe.filename().string()) {
            fs::path args = recipe, expected_file = recipe;
            args.replace_extension(".args");
            expected_file.replace_extension(".expected");
            std::vector<std::string> overrides;
            if (fs::exists(args)) overrides = read_lines(args);
            Loaded l = load(recipe.string(), overrides);
            CHECK_FALSE(l.recipe);
            const std::string actual = relative_to(l.text, dir);
            if (update) write_file(expected_file, actual);
            REQUIRE(fs::exists(expected_file));
            CHECK(actual == read_file(expected_file));
        }
    }
}
