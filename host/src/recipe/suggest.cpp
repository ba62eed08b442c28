#include "recipe/suggest.hpp"

#include <algorithm>

namespace idlab::host::recipe_detail {

size_t edit_distance(std::string_view a, std::string_view b) {
    // Optimal string alignment distance over a full (|a|+1) x (|b|+1) table; keys are short.
    const size_t n = a.size(), m = b.size();
    std::vector<std::vector<size_t>> d(n + 1, std::vector<size_t>(m + 1, 0));
    for (size_t i = 0; i <= n; ++i) d[i][0] = i;
    for (size_t j = 0; j <= m; ++j) d[0][j] = j;
    for (size_t i = 1; i <= n; ++i) {
        for (size_t j = 1; j <= m; ++j) {
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    }
    return d[n][m];
}

std::optional<std::string> closest_match(std::string_view word,
                                         const std::vector<std::string>& candidates) {
    const size_t limit = word.size() <= 3 ? 1 : 2;
    std::optional<std::string> best;
    size_t best_distance = limit + 1;
    for (const std::string& c : candidates) {
        size_t dist = edit_distance(word, c);
        if (dist > 0 && dist < best_distance) {
            best = c;
            best_distance = dist;
        }
    }
    return best;
}

std::string join(const std::vector<std::string>& items, std::string_view separator) {
    std::string out;
    for (size_t i = 0; i < items.size(); ++i) {
        if (i > 0) out += separator;
        out += items[i];
    }
    return out;
}

}  // namespace idlab::host::recipe_detail
