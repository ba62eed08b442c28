#include "runtime/run_directory.hpp"

#include "runtime/atomic_file.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <ctime>
#include <sstream>
#include <stdexcept>
#include <system_error>

namespace idlab::host {
namespace fs = std::filesystem;

namespace {
std::string timestamp() {
    std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    localtime_r(&now, &tm);
    char buf[32];
    std::strftime(buf, sizeof(buf), "%Y-%m-%d_%H-%M-%S", &tm);
    return buf;
}

std::ofstream open_metrics(const fs::path& file, std::ios::openmode mode) {
    std::ofstream out(file, std::ios::binary | mode);
    if (!out) throw std::runtime_error("cannot write '" + file.string() + "'");
    return out;
}
}  // namespace

RunDirectory::RunDirectory(const fs::path& out, const std::string& run_name) {
    if (!out.empty()) {
        path_ = out;
    } else {
        fs::path base = fs::path("runs") / run_name / timestamp();
        path_ = base;
        for (int i = 1; fs::exists(path_); ++i) path_ = base.string() + "-" + std::to_string(i);
    }
    std::error_code ec;
    fs::create_directories(path_, ec);
    if (ec) throw std::runtime_error("cannot create run directory '" + path_.string() + "': " + ec.message());
    // A checkpoint left by an earlier run in this folder belongs to that run, not to this one.
    for (const fs::path& old : {checkpoint_file(), best_file(), AtomicFile::temporary_for(checkpoint_file()),
                                AtomicFile::temporary_for(best_file())}) {
        if (fs::remove(old, ec)) spdlog::info("removed '{}' of the run that was in this folder before", old.string());
    }
    metrics_ = open_metrics(path_ / "metrics.jsonl", std::ios::trunc);
}

RunDirectory RunDirectory::existing(const fs::path& dir) {
    RunDirectory d;
    d.path_ = dir;
    return d;
}

void RunDirectory::write_resolved_recipe(const std::string& toml) const {
    write_file_atomically(recipe_file(), toml);
}

size_t RunDirectory::keep_metrics(const std::vector<std::string>& lines) {
    const fs::path file = path_ / "metrics.jsonl";
    size_t before = 0;
    {
        std::ifstream in(file, std::ios::binary);
        std::string line;
        while (std::getline(in, line)) ++before;
    }
    std::string text;
    for (const std::string& line : lines) text += line + "\n";
    write_file_atomically(file, text);
    metrics_ = open_metrics(file, std::ios::app);
    return before > lines.size() ? before - lines.size() : 0;
}

void RunDirectory::append_metrics(const std::string& json_line) {
    metrics_ << json_line << '\n';
    metrics_.flush();
}

void RunDirectory::write_summary(const std::string& json) const {
    write_file_atomically(summary_file(), json + "\n");
}

}  // namespace idlab::host
