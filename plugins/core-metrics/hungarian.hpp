// The assignment problem (Hungarian / Kuhn–Munkres): pair the rows of a cost matrix with
// distinct columns so that the total cost is least. O(r² c) for r <= c rows and columns, by
// shortest augmenting paths with row and column potentials (Jonker–Volgenant form).
#pragma once

#include <cstdint>
#include <vector>

namespace idlab::core {

// cost: row-major [rows, cols], finite. Returns, for every row, the column it is assigned to.
// With rows <= cols every row gets a distinct column; with rows > cols every column gets a
// distinct row and the rows left over get -1. Either way min(rows, cols) pairs are made and
// their summed cost is the least possible.
std::vector<int64_t> min_cost_assignment(const double* cost, int64_t rows, int64_t cols);

}  // namespace idlab::core
