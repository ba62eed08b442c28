// Reading a recipe file together with the fragments it includes, merged into one tree.
#pragma once

#include "recipe/recipe.hpp"
#include "recipe/tree.hpp"

#include <optional>
#include <string>
#include <vector>

namespace idlab::host::recipe_detail {

struct ReadRecipe {
    // The merged tree; empty when reading had to stop: the recipe itself cannot be read, or a
    // file has a TOML syntax error (then that error is the only diagnostic).
    std::optional<Node> root;
    // Every file read, the recipe first, then fragments in the order they were first read.
    std::vector<std::string> files;
    // False when a fragment could not be read: what looks missing may be in it.
    bool complete = true;
};

// Reads `path`. `include = ["a.toml", ...]` at the top of a file names fragments relative to
// that file; they are merged in order and the including file goes on top (merge_into), so
// nested includes work and the most specific file wins. A missing fragment or an include
// cycle is a diagnostic at the include entry; the other files are still read.
ReadRecipe read_with_includes(const std::string& path, std::vector<Diagnostic>& diagnostics);

}  // namespace idlab::host::recipe_detail
