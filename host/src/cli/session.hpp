// What `run` and `check` share: loading the plugins and resolving a recipe against them,
// with every problem printed the way a compiler prints errors.
#pragma once

#include "plugin/registry.hpp"
#include "recipe/recipe.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace idlab::host {

// Loads every plugin on the search path. Load problems are logged as warnings: a broken file
// only matters when a recipe asks for what it would have provided.
std::unique_ptr<Registry> open_registry(const std::vector<std::string>& plugin_dirs);

// The recipe layer's view of the registry.
ComponentSource component_source(const Registry& registry);

// Resolves the recipe; on failure prints every diagnostic to stderr and returns nullopt.
std::optional<Recipe> resolve_recipe(const std::string& path,
                                     const std::vector<std::string>& overrides,
                                     const Registry& registry);

// Prints one diagnostic (file:line:col, source line, caret, notes) to stderr.
void print_diagnostic(const Diagnostic& d, const std::vector<std::string>& overrides);

}  // namespace idlab::host
