// The report's table, laid out like the paper's Tables 2 and 3: one row per configuration
// (named by its axis values), a column per axis, the number of seeds, then one column per
// metric value holding mean ± std over the completed seeds. As Markdown (table.md) and as CSV
// with one row per configuration and value (table.csv).
#pragma once

#include "report/results.hpp"
#include "report/statistics.hpp"
#include "report/value_format.hpp"

#include <string>
#include <vector>

namespace idlab::host {

struct TableRow {
    size_t configuration = 0;        // index into ReportData::configurations
    size_t completed = 0, planned = 0;
    std::vector<Spread> cells;       // one per ReportData::value_names entry
};

struct ReportTable {
    std::vector<std::string> key_columns;          // "sweep", axis keys, or "configuration"
    std::vector<std::vector<std::string>> keys;    // per row, one text per key column
    std::vector<TableRow> rows;
    std::vector<std::string> value_names;
};

ReportTable build_table(const ReportData& data);

// The seeds column: "5", or "3 of 5" while some are not done.
std::string seeds_text(const TableRow& row);

// An axis value as a table shows it: TOML text, strings without their quotes.
std::string display_value(const std::string& toml_text);

std::string markdown_table(const ReportTable& table, const ValueFormat& format);
// The note under every table: what the cells mean.
std::string table_note(const ValueFormat& format);
// Columns: sweep, configuration, the axis keys, value, n, mean, std, min, max, shown (the
// table's text); numbers on the run's own scale, written to round-trip.
std::string csv_table(const ReportData& data, const ReportTable& table, const ValueFormat& format);

}  // namespace idlab::host
