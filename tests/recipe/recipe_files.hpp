// Test helpers: recipes written to a scratch folder, loaded against the fake components.
#pragma once

#include "fake_components.hpp"
#include "recipe/recipe.hpp"

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace idlab::test {

// An empty folder under the build tree, named after the test.
inline std::filesystem::path scratch_dir(const std::string& name) {
    std::filesystem::path dir = std::filesystem::path(IDLAB_RECIPE_WORK_DIR) / name;
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}

inline std::string write_file(const std::filesystem::path& file, const std::string& text) {
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << text;
    return file.string();
}

inline std::string read_file(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// Every diagnostic formatted, as `idlab check` prints them.
inline std::string formatted(const std::vector<host::Diagnostic>& diagnostics,
                             const std::vector<std::string>& overrides = {}) {
    std::string out;
    for (const host::Diagnostic& d : diagnostics) out += host::format_diagnostic(d, overrides);
    return out;
}

// A loaded recipe with its diagnostics.
struct Loaded {
    std::optional<host::Recipe> recipe;
    std::vector<host::Diagnostic> diagnostics;
    std::string text;  // the diagnostics formatted
};

inline Loaded load(const std::string& path, const std::vector<std::string>& overrides = {}) {
    FakeSource fake;
    Loaded l;
    l.recipe = host::load_recipe(path, overrides, fake.source, l.diagnostics);
    l.text = formatted(l.diagnostics, overrides);
    return l;
}

// The valid stages every test recipe needs, for recipes that test something else.
inline const char* kPipeline = R"([data]
kind = "core.vmf_clusters"
latent_dim = 5

[encoder]
kind = "core.mlp"
hidden = [32, 32]

[loss]
kind = "core.cross_entropy"

[optimizer]
kind = "core.adam"
)";

}  // namespace idlab::test
