// The ImageNet-X split of binary-labelled rows: a stratified train/test split, then class-
// balanced sub-sampling of both parts (the majority class cut to the minority's count), so that
// chance accuracy is exactly 1/2 on train and on test (paper §4.3; the reference decode.py).
#pragma once

#include <cstdint>
#include <vector>

namespace idlab::probes {

struct BalancedSplit {
    std::vector<int64_t> train;  // row indices, class 0 first, then class 1, equal counts
    std::vector<int64_t> test;
};

// labels [n]: 0 or 1; keys [n]: a random key per row (the split's only randomness). Within each
// class the rows are ordered by (key, row); the first round(test_fraction * n_c) of them, clamped
// to [1, n_c - 1], go to the test part, the rest to train. Each part then keeps, from each class,
// its first min(count_0, count_1) rows. Throws std::invalid_argument when a class has fewer than
// two rows or test_fraction is not in (0, 1).
BalancedSplit balanced_split(const std::vector<uint8_t>& labels, const std::vector<uint64_t>& keys,
                             double test_fraction);

}  // namespace idlab::probes
