#include "sweep/launch_record.hpp"

#include "runtime/atomic_file.hpp"
#include "runtime/json.hpp"
#include "runtime/json_value.hpp"
#include "sweep/manifest.hpp"

namespace idlab::host {

void write_launch_record(const std::filesystem::path& sweep_dir, const LaunchRecord& r) {
    JsonObject o;
    o.add("launcher", r.launcher)
        .add("jobs", static_cast<int64_t>(r.jobs))
        .add("tasks", static_cast<int64_t>(r.tasks))
        .add("threads", static_cast<int64_t>(r.threads))
        .add("slurm_job", r.slurm_job)
        .add("pid", static_cast<int64_t>(r.pid))
        .add("host", r.host)
        .add("started", static_cast<int64_t>(r.started));
    write_file_atomically(sweep_dir / kLaunchFile, o.str() + "\n");
}

std::optional<LaunchRecord> read_launch_record(const std::filesystem::path& sweep_dir) {
    std::string error;
    std::error_code ec;
    if (!std::filesystem::exists(sweep_dir / kLaunchFile, ec)) return std::nullopt;
    auto doc = read_json_file((sweep_dir / kLaunchFile).string(), error);
    if (!doc || !doc->is_object()) return std::nullopt;
    LaunchRecord r;
    r.launcher = doc->string_or("launcher", "");
    r.jobs = static_cast<int>(doc->number_or("jobs", 1));
    r.tasks = static_cast<int>(doc->number_or("tasks", 0));
    r.threads = static_cast<int>(doc->number_or("threads", 0));
    r.slurm_job = doc->string_or("slurm_job", "");
    r.pid = static_cast<long>(doc->number_or("pid", 0));
    r.host = doc->string_or("host", "");
    r.started = static_cast<long long>(doc->number_or("started", 0));
    return r;
}

}  // namespace idlab::host
