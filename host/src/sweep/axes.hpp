// The axes of a sweep: the recipe's [sweep] table combined with the command line's
// `key=v1,v2,...` arguments. Values stay TOML text, exactly as the recipe layer reads overrides.
#pragma once

#include "recipe/recipe.hpp"

#include <optional>
#include <string>
#include <vector>

namespace idlab::host {

struct Axis {
    std::string key;                  // "data.kappa"
    std::vector<std::string> values;  // TOML text: "50", "10.0", "[64, 64]", "\"laplace\""
    bool from_command_line = false;
};

// Splits the text after '=' at the commas outside brackets, braces and quotes:
// "5,10,50" -> {"5", "10", "50"}; "[64,64]" -> {"[64,64]"}; "[64,64],[128]" -> two values;
// "\"a,b\"" -> one value. Returns nullopt and sets `error` for an empty value ("5,,10", "5,").
std::optional<std::vector<std::string>> split_axis_values(const std::string& text, std::string& error);

// The command line's key=value arguments, split into axes (two or more values) and fixed
// overrides (one value, applied to every job like `idlab run` applies it).
struct CommandLineAxes {
    std::vector<Axis> axes;
    std::vector<std::string> fixed;   // "key=value"
};
std::optional<CommandLineAxes> parse_command_line_axes(const std::vector<std::string>& arguments,
                                                       std::string& error);

// The recipe's [sweep] axes with the command line applied: a command-line axis replaces the
// recipe's axis of the same key in place (or is appended), a fixed override of a swept key
// removes that axis (the value is pinned). Sweeping run.seed is an error: --seeds does that.
std::optional<std::vector<Axis>> combine_axes(const std::vector<SweepAxis>& recipe_axes,
                                              const CommandLineAxes& command_line, std::string& error);

}  // namespace idlab::host
