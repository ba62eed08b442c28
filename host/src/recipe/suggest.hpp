// "Did you mean ...?" for misspelt keys, kinds and choices.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace idlab::host::recipe_detail {

// Edit distance where insertions, deletions, substitutions and swaps of two neighbours
// each cost 1 ("mpl" -> "mlp" is one edit).
size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word`, if it is close enough to be a likely typo: at most two
// edits (one for words of three characters or fewer). Ties go to the earlier candidate.
std::optional<std::string> closest_match(std::string_view word,
                                         const std::vector<std::string>& candidates);

// "a, b, c"
std::string join(const std::vector<std::string>& items, std::string_view separator = ", ");

}  // namespace idlab::host::recipe_detail
