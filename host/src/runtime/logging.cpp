#include "runtime/logging.hpp"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdlib>

namespace idlab::host {

void setup_console_logging(const std::string& level) {
    auto console = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
    console->set_pattern("%^[%l]%$ %v");
    auto logger = std::make_shared<spdlog::logger>("idlab", console);
    const char* env = std::getenv("IDLAB_LOG_LEVEL");
    logger->set_level(spdlog::level::from_str(env && *env ? env : level));
    logger->flush_on(spdlog::level::info);
    spdlog::set_default_logger(logger);
}

void add_log_file(const std::filesystem::path& file, bool append) {
    auto sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(file.string(), !append);
    sink->set_pattern("[%Y-%m-%d %H:%M:%S.%e] [%l] %v");
    sink->set_level(spdlog::level::debug);
    auto logger = spdlog::default_logger();
    logger->sinks().push_back(sink);
    if (logger->level() > spdlog::level::info) logger->set_level(spdlog::level::info);
}

void remove_log_files() {
    auto& sinks = spdlog::default_logger()->sinks();
    sinks.erase(std::remove_if(sinks.begin(), sinks.end(),
                               [](const spdlog::sink_ptr& s) {
                                   return dynamic_cast<spdlog::sinks::basic_file_sink_mt*>(s.get()) != nullptr;
                               }),
                sinks.end());
}

}  // namespace idlab::host
