// A user's label table: a CSV file whose first line names the columns and whose every further
// line holds one integer per column, one line per embedding row, e.g.
//     class,background,texture
//     417,0,1
// Cells are separated by commas; spaces around a cell, a cell wrapped in double quotes (no
// commas or quotes inside) and Windows line ends are accepted; blank lines are skipped. Each
// column becomes an i64 field of core.features.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace idlab::probes {

inline constexpr const char* kLabelTableFormat =
    "a CSV label table: a header line of column names, then one line of integers per embedding row";

struct LabelColumn {
    std::string name;
    std::vector<int64_t> values;  // one per data line
    int64_t min = 0;
    int64_t max = 0;
};

struct LabelTable {
    std::vector<LabelColumn> columns;
    int64_t rows = 0;
};

// Reads `path`. Throws images::DataFileError naming the file (and, for a bad cell, the line
// and column) when it cannot be read, has no header, has an empty or repeated column name, a
// line with the wrong number of cells, a cell that is not an integer (or does not fit in 64
// bits), or no data line.
LabelTable read_label_table(const std::string& path);

}  // namespace idlab::probes
