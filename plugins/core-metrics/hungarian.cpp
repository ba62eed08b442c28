#include "hungarian.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace idlab::core {

namespace {

// rows <= cols. Rows enter one at a time; each entry grows a shortest-path tree over the
// columns in reduced costs cost[r][c] - row_potential[r] - col_potential[c] (kept >= 0 on
// every edge and exactly 0 on matched ones) until it reaches a free column, then flips the
// matching along that path. The potentials keep the partial matching optimal throughout.
std::vector<int64_t> assign_rows(const double* cost, int64_t rows, int64_t cols) {
    const double inf = std::numeric_limits<double>::infinity();
    // Column index `cols` is a virtual column that holds the entering row at the tree's root.
    const int64_t root = cols;
    std::vector<double> row_potential(static_cast<size_t>(rows), 0.0);
    std::vector<double> col_potential(static_cast<size_t>(cols + 1), 0.0);
    std::vector<int64_t> row_of_col(static_cast<size_t>(cols + 1), -1);
    std::vector<int64_t> parent_col(static_cast<size_t>(cols + 1), -1);  // tree edge into a column
    std::vector<double> distance(static_cast<size_t>(cols + 1));
    std::vector<char> in_tree(static_cast<size_t>(cols + 1));

    for (int64_t entering = 0; entering < rows; ++entering) {
        row_of_col[root] = entering;
        std::fill(distance.begin(), distance.end(), inf);
        std::fill(in_tree.begin(), in_tree.end(), 0);
        int64_t col = root;
        do {
            in_tree[col] = 1;
            const int64_t row = row_of_col[col];
            // Relax the edges out of `row`, then pick the nearest column outside the tree.
            double nearest = inf;
            int64_t next = -1;
            for (int64_t c = 0; c < cols; ++c) {
                if (in_tree[c]) continue;
                const double reduced = cost[row * cols + c] - row_potential[row] - col_potential[c];
                if (reduced < distance[c]) {
                    distance[c] = reduced;
                    parent_col[c] = col;
                }
                if (distance[c] < nearest) {
                    nearest = distance[c];
                    next = c;
                }
            }
            // Shift the potentials so the new tree edge has reduced cost 0; distances of the
            // columns still outside shrink by the same amount.
            for (int64_t c = 0; c <= cols; ++c) {
                if (in_tree[c]) {
                    row_potential[row_of_col[c]] += nearest;
                    col_potential[c] -= nearest;
                } else {
                    distance[c] -= nearest;
                }
            }
            col = next;
        } while (row_of_col[col] != -1);

        // Augment: every column on the path back to the root takes its parent's row.
        while (col != root) {
            const int64_t parent = parent_col[col];
            row_of_col[col] = row_of_col[parent];
            col = parent;
        }
    }

    std::vector<int64_t> col_of_row(static_cast<size_t>(rows), -1);
    for (int64_t c = 0; c < cols; ++c)
        if (row_of_col[c] >= 0) col_of_row[row_of_col[c]] = c;
    return col_of_row;
}

}  // namespace

std::vector<int64_t> min_cost_assignment(const double* cost, int64_t rows, int64_t cols) {
    if (rows < 1 || cols < 1) throw std::invalid_argument("assignment: empty cost matrix");
    for (int64_t i = 0; i < rows * cols; ++i)
        if (!std::isfinite(cost[i])) throw std::invalid_argument("assignment: non-finite cost");
    if (rows <= cols) return assign_rows(cost, rows, cols);

    // More rows than columns: assign the columns to rows on the transpose, then invert.
    std::vector<double> transposed(static_cast<size_t>(rows * cols));
    for (int64_t r = 0; r < rows; ++r)
        for (int64_t c = 0; c < cols; ++c) transposed[c * rows + r] = cost[r * cols + c];
    const std::vector<int64_t> row_of_col = assign_rows(transposed.data(), cols, rows);
    std::vector<int64_t> col_of_row(static_cast<size_t>(rows), -1);
    for (int64_t c = 0; c < cols; ++c) col_of_row[row_of_col[c]] = c;
    return col_of_row;
}

}  // namespace idlab::core
