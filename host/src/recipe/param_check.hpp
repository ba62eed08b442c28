// One value against one parameter spec: type, range, choices. Produces the typed ParamValue
// or the diagnostic that says what was expected.
#pragma once

#include "recipe/recipe.hpp"
#include "recipe/tree.hpp"

#include <idlab/plugin.h>

#include <optional>
#include <string>
#include <vector>

namespace idlab::host::recipe_detail {

// Checks `value` for `spec`. `name` is the full name used in messages ("encoder.hidden",
// "metrics[0].intercept"). FLOAT accepts integers (converted), INT does not accept floats,
// list ranges apply to each element. On failure adds one diagnostic per problem (at the
// value, or at the offending element of a list) and returns nullopt.
std::optional<ParamValue> check_param(const Node& value, const idlab_param_spec_t& spec,
                                      const std::string& name, std::vector<Diagnostic>& diagnostics);

// What the spec accepts, as a phrase: "a float > 0", "a list of integers, each >= 1",
// "\"label\" or \"index\"".
std::string expectation(const idlab_param_spec_t& spec);

}  // namespace idlab::host::recipe_detail
