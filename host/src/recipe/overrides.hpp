// Command-line overrides: "stage.key=value", applied on top of the merged recipe tree.
#pragma once

#include "recipe/recipe.hpp"
#include "recipe/tree.hpp"

#include <string>
#include <vector>

namespace idlab::host::recipe_detail {

// The location of the N-th override (0-based index), as diagnostics name it: "<cli:N+1>".
std::string override_file(size_t index);

// Sets each override's value in `root`, in order, so a later override wins. The value is
// parsed as a TOML value; text that is not one ("index", "core.mlp", "abc") is a bare string,
// so its type is checked like any other value. A malformed override (no '=', an empty or
// dotted-too-deep key, an unknown stage) becomes a diagnostic at <cli:N>.
void apply_overrides(Node& root, const std::vector<std::string>& overrides,
                     std::vector<Diagnostic>& diagnostics);

}  // namespace idlab::host::recipe_detail
