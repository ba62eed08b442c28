// The merged recipe tree -> a Recipe: every table and key checked against the recipe layout
// and the parameter specs of the host's own tables and of the chosen components.
#pragma once

#include "recipe/recipe.hpp"
#include "recipe/tree.hpp"

#include <optional>
#include <string>
#include <vector>

namespace idlab::host::recipe_detail {

// Checks everything and reports every problem found (it does not stop at the first). Returns
// nullopt when a diagnostic was added. `path` is the recipe file, the location of problems
// that have no better place (a missing table). When `includes_complete` is false (a fragment
// could not be read) nothing is reported as missing: it may be in that fragment, and its
// include entry is already the error to fix.
std::optional<Recipe> validate_recipe(const Node& root, const std::string& path,
                                      const ComponentSource& components, bool includes_complete,
                                      std::vector<Diagnostic>& diagnostics);

}  // namespace idlab::host::recipe_detail
