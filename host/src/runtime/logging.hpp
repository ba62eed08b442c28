// Host logging through spdlog: the console (stderr) from the start, the run's log.txt once the
// run directory exists. Plugins reach it through the host services' log().
#pragma once

#include <filesystem>
#include <string>

namespace idlab::host {

// level: "debug", "info", "warn", "error" (IDLAB_LOG_LEVEL overrides when set).
void setup_console_logging(const std::string& level = "info");
// append: keep what the file holds (a resumed run goes on in its log.txt); else start it afresh.
void add_log_file(const std::filesystem::path& file, bool append = false);
void remove_log_files();

}  // namespace idlab::host
