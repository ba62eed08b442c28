// The ImageNet-X split: stratified 70/30, then both parts cut to equal class counts; the rows
// chosen follow the keys, and classes too small to split are refused.
#include "balanced_split.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <numeric>
#include <set>
#include <stdexcept>
#include <vector>

using idlab::probes::balanced_split;

namespace {

std::vector<uint8_t> labels_with(int zeros, int ones) {
    std::vector<uint8_t> y;
    // Interleaved, so that a split taking rows in index order would be caught.
    for (int i = 0; i < std::max(zeros, ones); ++i) {
        if (i < zeros) y.push_back(0);
        if (i < ones) y.push_back(1);
    }
    return y;
}

std::vector<uint64_t> reversed_keys(size_t n) {
    std::vector<uint64_t> keys(n);
    for (size_t i = 0; i < n; ++i) keys[i] = n - i;  // later rows first
    return keys;
}

int count_class(const std::vector<int64_t>& rows, const std::vector<uint8_t>& y, int c) {
    return static_cast<int>(std::count_if(rows.begin(), rows.end(), [&](int64_t r) { return y[r] == c; }));
}

}  // namespace

TEST_CASE("the balanced split has the documented counts", "[core-probes][split]") {
    struct Case {
        int zeros, ones, test_per_class, train_per_class;
    };
    // test_c = round(0.3 n_c) clamped to [1, n_c - 1]; each part keeps min over classes.
    for (const Case& c : {Case{100, 20, 6, 14}, Case{20, 100, 6, 14}, Case{50, 50, 15, 35}, Case{1000, 3, 1, 2},
                          Case{2, 2, 1, 1}, Case{7, 40, 2, 5}}) {
        INFO(c.zeros << " zeros, " << c.ones << " ones");
        const std::vector<uint8_t> y = labels_with(c.zeros, c.ones);
        const auto split = balanced_split(y, reversed_keys(y.size()), 0.3);
        CHECK(count_class(split.test, y, 0) == c.test_per_class);
        CHECK(count_class(split.test, y, 1) == c.test_per_class);
        CHECK(count_class(split.train, y, 0) == c.train_per_class);
        CHECK(count_class(split.train, y, 1) == c.train_per_class);
        std::set<int64_t> all(split.train.begin(), split.train.end());
        all.insert(split.test.begin(), split.test.end());
        CHECK(all.size() == split.train.size() + split.test.size());  // train and test are disjoint
    }
}

TEST_CASE("the balanced split takes the rows with the smallest keys first", "[core-probes][split]") {
    // 10 rows of each class; keys reversed: the last rows of each class come first.
    std::vector<uint8_t> y(20);
    for (size_t i = 0; i < y.size(); ++i) y[i] = i < 10 ? 0 : 1;
    const auto split = balanced_split(y, reversed_keys(y.size()), 0.3);
    CHECK(split.test == std::vector<int64_t>{9, 8, 7, 19, 18, 17});
    CHECK(split.train == std::vector<int64_t>{6, 5, 4, 3, 2, 1, 0, 16, 15, 14, 13, 12, 11, 10});
    // Equal keys fall back to the row order.
    const auto tied = balanced_split(y, std::vector<uint64_t>(20, 5), 0.3);
    CHECK(tied.test == std::vector<int64_t>{0, 1, 2, 10, 11, 12});
}

TEST_CASE("the balanced split refuses what it cannot split", "[core-probes][split]") {
    const std::vector<uint8_t> y = labels_with(10, 1);
    CHECK_THROWS_WITH(balanced_split(y, reversed_keys(y.size()), 0.3),
                      Catch::Contains("class 1 has 1 row(s)"));
    const std::vector<uint8_t> ok = labels_with(5, 5);
    CHECK_THROWS_AS(balanced_split(ok, reversed_keys(ok.size()), 0.0), std::invalid_argument);
    CHECK_THROWS_AS(balanced_split(ok, reversed_keys(ok.size()), 1.0), std::invalid_argument);
    CHECK_THROWS_AS(balanced_split(ok, std::vector<uint64_t>(3), 0.3), std::invalid_argument);
    CHECK_THROWS_AS(balanced_split({0, 0, 1, 1, 2}, reversed_keys(5), 0.3), std::invalid_argument);
}
