// What a checkpoint remembers of the recipe it was made with, and how two of them differ.
//
// The canonical recipe is the resolved recipe (Recipe::to_toml) without its comments: every
// stage, every parameter with defaults filled in, no "# default" marks and no header line. So
// resolving recipe.resolved.toml again gives the same text, while any change of a value (an
// edit of the file, a plugin whose new parameter brings a new default) gives another.
#pragma once

#include "recipe/recipe.hpp"

#include <string>
#include <vector>

namespace idlab::host {

std::string canonical_recipe(const Recipe& recipe);

// The keys whose values differ, as "[train] steps: 2000 in the checkpoint, 4000 now" lines
// ("... is only in the checkpoint", "... is new"); empty when the texts are equal.
std::vector<std::string> recipe_differences(const std::string& checkpoint, const std::string& now);

}  // namespace idlab::host
