#include "balanced_split.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>
#include <string>

namespace idlab::probes {

BalancedSplit balanced_split(const std::vector<uint8_t>& labels, const std::vector<uint64_t>& keys,
                             double test_fraction) {
    if (labels.size() != keys.size()) throw std::invalid_argument("balanced split: one key per row is needed");
    if (!(test_fraction > 0.0 && test_fraction < 1.0))
        throw std::invalid_argument("balanced split: test_fraction must lie in (0, 1)");

    std::array<std::vector<int64_t>, 2> rows;
    for (size_t i = 0; i < labels.size(); ++i) {
        if (labels[i] > 1) throw std::invalid_argument("balanced split: labels must be 0 or 1");
        rows[labels[i]].push_back(static_cast<int64_t>(i));
    }
    std::array<int64_t, 2> test_count{}, train_count{};
    for (int c = 0; c < 2; ++c) {
        const int64_t n = static_cast<int64_t>(rows[c].size());
        if (n < 2)
            throw std::invalid_argument("class " + std::to_string(c) + " has " + std::to_string(n) +
                                        " row(s); a train/test split needs at least 2 of each class");
        std::sort(rows[c].begin(), rows[c].end(), [&](int64_t a, int64_t b) {
            return keys[a] != keys[b] ? keys[a] < keys[b] : a < b;
        });
        test_count[c] = std::clamp<int64_t>(std::llround(test_fraction * static_cast<double>(n)), 1, n - 1);
        train_count[c] = n - test_count[c];
    }
    const int64_t test_per_class = std::min(test_count[0], test_count[1]);
    const int64_t train_per_class = std::min(train_count[0], train_count[1]);
    BalancedSplit split;
    for (int c = 0; c < 2; ++c) {
        const auto first_test = rows[c].begin();
        const auto first_train = rows[c].begin() + test_count[c];
        split.test.insert(split.test.end(), first_test, first_test + test_per_class);
        split.train.insert(split.train.end(), first_train, first_train + train_per_class);
    }
    return split;
}

}  // namespace idlab::probes
