// TOML text -> the recipe tree. The only place that calls TOML++'s parser.
#pragma once

#include "recipe/recipe.hpp"
#include "recipe/tree.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace idlab::host::recipe_detail {

struct ParsedDocument {
    std::optional<Node> root;     // empty when the text is not valid TOML
    Diagnostic syntax_error;      // then: TOML++'s description at its position
};

// Parses a whole document. Every node is located in `file` (the path as the user wrote it);
// table entries keep their source order.
ParsedDocument parse_document(std::string_view text, const std::string& file);

// Parses `text` as exactly one TOML value ("10", "[64, 64]", "\"label\"", "true").
// Nodes are located at `at`, shifted right by their column inside `text`, so an error in the
// second element of "[64,-1]" points at "-1". Empty when `text` is not one TOML value.
std::optional<Node> parse_value(std::string_view text, const SourceLocation& at);

}  // namespace idlab::host::recipe_detail
