// The assignment solver against brute force: on random small matrices, square and rectangular
// (both orientations), with continuous and with tied integer costs, min_cost_assignment makes
// min(rows, cols) distinct pairs whose total equals the best over all injective pairings.
#include "hungarian.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <limits>
#include <numeric>
#include <random>
#include <stdexcept>
#include <vector>

using idlab::core::min_cost_assignment;

namespace {

// The least total cost over every way of pairing min(rows, cols) rows with distinct columns:
// every permutation of the longer side, its first min(rows, cols) entries paired in order.
double brute_force_min_cost(const std::vector<double>& cost, int64_t rows, int64_t cols) {
    const int64_t pairs = std::min(rows, cols);
    std::vector<int64_t> longer(static_cast<size_t>(std::max(rows, cols)));
    std::iota(longer.begin(), longer.end(), int64_t{0});
    double best = std::numeric_limits<double>::infinity();
    do {
        double total = 0.0;
        for (int64_t i = 0; i < pairs; ++i)
            total += rows <= cols ? cost[i * cols + longer[i]] : cost[longer[i] * cols + i];
        best = std::min(best, total);
    } while (std::next_permutation(longer.begin(), longer.end()));
    return best;
}

// Checks that `match` is a valid assignment and returns its total cost.
double checked_total(const std::vector<int64_t>& match, const std::vector<double>& cost,
                     int64_t rows, int64_t cols) {
    REQUIRE(static_cast<int64_t>(match.size()) == rows);
    std::vector<int> used(static_cast<size_t>(cols), 0);
    int64_t pairs = 0;
    double total = 0.0;
    for (int64_t r = 0; r < rows; ++r) {
        if (match[r] < 0) continue;
        REQUIRE(match[r] < cols);
        CHECK(++used[match[r]] == 1);  // distinct columns
        total += cost[r * cols + match[r]];
        ++pairs;
    }
    CHECK(pairs == std::min(rows, cols));
    return total;
}

}  // namespace

TEST_CASE("min_cost_assignment matches brute force on random matrices", "[core-metrics]") {
    std::mt19937_64 gen(41);
    std::normal_distribution<double> normal(0.0, 1.0);
    std::uniform_int_distribution<int> small_int(0, 3);  // many ties
    for (int64_t rows = 1; rows <= 6; ++rows) {
        for (int64_t cols = 1; cols <= 6; ++cols) {
            for (int trial = 0; trial < 6; ++trial) {
                const bool tied = trial % 2 == 1;
                std::vector<double> cost(static_cast<size_t>(rows * cols));
                for (double& c : cost) c = tied ? small_int(gen) : normal(gen);
                INFO("rows = " << rows << ", cols = " << cols << ", trial = " << trial);
                const std::vector<int64_t> match = min_cost_assignment(cost.data(), rows, cols);
                const double total = checked_total(match, cost, rows, cols);
                CHECK(total == Approx(brute_force_min_cost(cost, rows, cols)).margin(1e-12));
            }
        }
    }
}

TEST_CASE("min_cost_assignment on a hand-made matrix", "[core-metrics]") {
    // The greedy choice (row 0 -> column 0, cost 1) forces 100 on row 1; the optimum pairs
    // row 0 -> column 1 and row 1 -> column 0 for 2 + 3 = 5.
    const std::vector<double> cost = {1.0, 2.0,
                                      3.0, 100.0};
    const std::vector<int64_t> match = min_cost_assignment(cost.data(), 2, 2);
    CHECK(match == std::vector<int64_t>{1, 0});

    // Three rows, two columns: the row left out is the one that costs most everywhere.
    const std::vector<double> tall = {0.0, 5.0,
                                      9.0, 9.0,
                                      5.0, 0.0};
    CHECK(min_cost_assignment(tall.data(), 3, 2) == std::vector<int64_t>{0, -1, 1});
}

TEST_CASE("min_cost_assignment handles negative costs (maximising |corr|)", "[core-metrics]") {
    // Maximise the sum of a permutation-shaped matrix by minimising its negation.
    const int64_t n = 5;
    const std::vector<int64_t> perm = {3, 0, 4, 1, 2};
    std::vector<double> cost(static_cast<size_t>(n * n), -0.1);
    for (int64_t i = 0; i < n; ++i) cost[i * n + perm[i]] = -0.9;
    CHECK(min_cost_assignment(cost.data(), n, n) == perm);
}

TEST_CASE("min_cost_assignment recovers a planted permutation of a 200 x 200 matrix", "[core-metrics]") {
    // A planted optimum: a random permutation with cost 0, everything else in [1, 2).
    const int64_t n = 200;
    std::mt19937_64 gen(42);
    std::vector<int64_t> perm(static_cast<size_t>(n));
    std::iota(perm.begin(), perm.end(), int64_t{0});
    std::shuffle(perm.begin(), perm.end(), gen);
    std::uniform_real_distribution<double> uniform(1.0, 2.0);
    std::vector<double> cost(static_cast<size_t>(n * n));
    for (double& c : cost) c = uniform(gen);
    for (int64_t i = 0; i < n; ++i) cost[i * n + perm[i]] = 0.0;
    CHECK(min_cost_assignment(cost.data(), n, n) == perm);
}

TEST_CASE("min_cost_assignment refuses empty and non-finite costs", "[core-metrics]") {
    const std::vector<double> nan_cost = {0.0, std::numeric_limits<double>::quiet_NaN(), 1.0, 2.0};
    CHECK_THROWS_AS(min_cost_assignment(nan_cost.data(), 2, 2), std::invalid_argument);
    CHECK_THROWS_AS(min_cost_assignment(nan_cost.data(), 0, 2), std::invalid_argument);
}
