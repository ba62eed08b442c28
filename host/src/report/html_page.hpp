// index.html: the whole report on one self-contained page (inline style and SVG, relative
// links to table.md, table.csv and the .svg files), readable in any browser without a server.
#pragma once

#include "report/figures.hpp"
#include "report/results.hpp"
#include "report/table.hpp"
#include "report/value_format.hpp"

#include <string>
#include <vector>

namespace idlab::host {

struct UnfinishedRun {
    std::string sweep, dir, state;
    std::vector<std::string> last_lines;   // failed runs: the end of their console
};

std::string html_page(const std::string& title, const std::string& overview, const ReportTable& table,
                      const ValueFormat& format, const std::vector<Figure>& figures,
                      const std::vector<UnfinishedRun>& unfinished);

}  // namespace idlab::host
