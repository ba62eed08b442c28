// A seeded train/validation/test split of a dataset's indices, as in the DisLib experiment
// (paper-spec.md §2.3: 80/10/10): a uniformly random permutation (Fisher-Yates on the Philox
// setup stream of the run seed), cut into floor(n * val_fraction) validation and
// floor(n * test_fraction) test indices after the training ones. Each part is sorted, so a
// sequential pass reads the images in memory order.
#pragma once

#include <cstdint>
#include <vector>

namespace idlab::images {

struct DatasetSplit {
    std::vector<int64_t> train;
    std::vector<int64_t> val;
    std::vector<int64_t> test;
};

DatasetSplit make_split(int64_t count, uint64_t seed, double val_fraction = 0.1,
                        double test_fraction = 0.1);

}  // namespace idlab::images
