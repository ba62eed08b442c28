#include "runtime/run_directory.hpp"

#include <chrono>
#include <ctime>
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

void write_file(const fs::path& file, const std::string& text) {
    // Write to a temporary name, then rename: a reader never sees half a file.
    fs::path tmp = file;
    tmp += ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) throw std::runtime_error("cannot write '" + tmp.string() + "'");
        out << text;
        if (!out) throw std::runtime_error("cannot write '" + tmp.string() + "'");
    }
    fs::rename(tmp, file);
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
    metrics_.open(path_ / "metrics.jsonl", std::ios::binary | std::ios::trunc);
    if (!metrics_) throw std::runtime_error("cannot write '" + (path_ / "metrics.jsonl").string() + "'");
}

void RunDirectory::write_resolved_recipe(const std::string& toml) const {
    write_file(path_ / "recipe.resolved.toml", toml);
}

void RunDirectory::append_metrics(const std::string& json_line) {
    metrics_ << json_line << '\n';
    metrics_.flush();
}

void RunDirectory::write_summary(const std::string& json) const {
    write_file(path_ / "summary.json", json + "\n");
}

}  // namespace idlab::host
