#include "label_table.hpp"

#include "data_file_error.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <limits>

namespace idlab::probes {

namespace {

[[noreturn]] void fail(const std::string& path, const std::string& problem) {
    throw images::DataFileError(path, problem, kLabelTableFormat);
}

std::string trim(const std::string& s) {
    const char* space = " \t\r";
    const size_t first = s.find_first_not_of(space);
    if (first == std::string::npos) return "";
    return s.substr(first, s.find_last_not_of(space) - first + 1);
}

// The cells of one line, trimmed and unquoted.
std::vector<std::string> split_cells(const std::string& line) {
    std::vector<std::string> cells;
    size_t start = 0;
    for (;;) {
        const size_t comma = line.find(',', start);
        std::string cell = trim(line.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
        if (cell.size() >= 2 && cell.front() == '"' && cell.back() == '"') cell = trim(cell.substr(1, cell.size() - 2));
        cells.push_back(cell);
        if (comma == std::string::npos) return cells;
        start = comma + 1;
    }
}

// An optional sign and decimal digits, within int64; false for anything else ("1.0", "", "1e3").
bool parse_integer(const std::string& text, int64_t& value) {
    size_t i = 0;
    const bool negative = !text.empty() && text[0] == '-';
    if (!text.empty() && (text[0] == '-' || text[0] == '+')) i = 1;
    if (i == text.size()) return false;
    // Accumulate as a negative number: its range reaches INT64_MIN.
    int64_t v = 0;
    for (; i < text.size(); ++i) {
        if (text[i] < '0' || text[i] > '9') return false;
        const int digit = text[i] - '0';
        if (v < (std::numeric_limits<int64_t>::min() + digit) / 10) return false;
        v = v * 10 - digit;
    }
    if (!negative) {
        if (v == std::numeric_limits<int64_t>::min()) return false;
        v = -v;
    }
    value = v;
    return true;
}

}  // namespace

LabelTable read_label_table(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) fail(path, std::string("cannot open: ") + std::strerror(errno));

    std::string line;
    int64_t line_number = 0;
    bool have_header = false;
    LabelTable table;
    while (std::getline(in, line)) {
        ++line_number;
        if (line_number == 1 && line.compare(0, 3, "\xEF\xBB\xBF") == 0) line.erase(0, 3);  // UTF-8 byte order mark
        if (trim(line).empty()) continue;
        const std::vector<std::string> cells = split_cells(line);
        if (!have_header) {
            for (size_t c = 0; c < cells.size(); ++c) {
                const std::string where = "line " + std::to_string(line_number) + ", column " + std::to_string(c + 1);
                if (cells[c].empty())
                    fail(path, where + ": the header has an empty column name (a saved pandas index? write the CSV "
                                       "with index=False)");
                for (size_t k = 0; k < c; ++k)
                    if (cells[k] == cells[c]) fail(path, where + ": column name '" + cells[c] + "' appears twice");
                table.columns.push_back(LabelColumn{cells[c], {}, 0, 0});
            }
            have_header = true;
            continue;
        }
        if (cells.size() != table.columns.size())
            fail(path, "line " + std::to_string(line_number) + " has " + std::to_string(cells.size()) +
                           " cells, the header names " + std::to_string(table.columns.size()) + " columns");
        for (size_t c = 0; c < cells.size(); ++c) {
            int64_t v = 0;
            if (!parse_integer(cells[c], v))
                fail(path, "line " + std::to_string(line_number) + ", column " + std::to_string(c + 1) + " ('" +
                               table.columns[c].name + "'): '" + cells[c] + "' is not an integer");
            table.columns[c].values.push_back(v);
        }
        ++table.rows;
    }
    if (in.bad()) fail(path, std::string("read error: ") + std::strerror(errno));
    if (!have_header) fail(path, "no header line: the file is empty or blank");
    if (table.rows == 0) fail(path, "the header is followed by no data line");
    for (LabelColumn& c : table.columns) {
        c.min = *std::min_element(c.values.begin(), c.values.end());
        c.max = *std::max_element(c.values.begin(), c.values.end());
    }
    return table;
}

}  // namespace idlab::probes
