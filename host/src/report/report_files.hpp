// `idlab report`: reads the folders, then writes into the output folder table.md, table.csv,
// one .svg per figure and index.html (which inlines them all).
#pragma once

#include "report/value_format.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace idlab::host {

struct ReportOptions {
    std::vector<std::filesystem::path> dirs;
    std::filesystem::path out;
    ValueFormat format;
    size_t failure_lines = 12;
};

struct ReportOutcome {
    size_t runs = 0, completed = 0, configurations = 0;
    std::vector<std::string> files;   // written, relative to `out`
    bool write_failed = false;        // the folders were read, the output could not be written
};

// Returns false with `error` when the folders cannot be read or the output cannot be written.
bool write_report(const ReportOptions& options, ReportOutcome& outcome, std::string& error);

}  // namespace idlab::host
