#include "dataset_split.hpp"

#include <idlab/philox.hpp>

#include <algorithm>
#include <numeric>
#include <stdexcept>

namespace idlab::images {

namespace {
// PhiloxStream::for_setup purpose of the split permutation.
constexpr uint32_t kPurposeSplit = 0x5B117;
}  // namespace

DatasetSplit make_split(int64_t count, uint64_t seed, double val_fraction, double test_fraction) {
    if (count < 0 || val_fraction < 0 || test_fraction < 0 || val_fraction + test_fraction > 1)
        throw std::invalid_argument("make_split: bad count or fractions");
    std::vector<int64_t> order(static_cast<size_t>(count));
    std::iota(order.begin(), order.end(), int64_t{0});
    idlab::PhiloxStream rng = idlab::PhiloxStream::for_setup(seed, kPurposeSplit);
    for (int64_t i = count - 1; i > 0; --i) {
        const int64_t j = static_cast<int64_t>(rng.uniform_index(static_cast<uint64_t>(i + 1)));
        std::swap(order[static_cast<size_t>(i)], order[static_cast<size_t>(j)]);
    }
    const auto n_val = static_cast<int64_t>(static_cast<double>(count) * val_fraction);
    const auto n_test = static_cast<int64_t>(static_cast<double>(count) * test_fraction);
    const int64_t n_train = count - n_val - n_test;

    DatasetSplit s;
    s.train.assign(order.begin(), order.begin() + n_train);
    s.val.assign(order.begin() + n_train, order.begin() + n_train + n_val);
    s.test.assign(order.begin() + n_train + n_val, order.end());
    std::sort(s.train.begin(), s.train.end());
    std::sort(s.val.begin(), s.val.end());
    std::sort(s.test.begin(), s.test.end());
    return s;
}

}  // namespace idlab::images
