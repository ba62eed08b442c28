#include "sweep/job_status.hpp"

#include "runtime/json_value.hpp"
#include "sweep/lock.hpp"

#include <fstream>
#include <sstream>

namespace idlab::host {
namespace fs = std::filesystem;

const char* job_state_name(JobState s) {
    switch (s) {
        case JobState::Pending: return "pending";
        case JobState::Running: return "running";
        case JobState::Done: return "done";
        case JobState::Failed: return "failed";
        case JobState::Interrupted: return "interrupted";
    }
    return "?";
}

namespace {

// summary.json's verdict: "status" when present (the checkpointing contract), otherwise the
// keys older runs wrote.
JobState summary_state(const JsonValue& summary) {
    const std::string status = summary.string_or("status", "");
    if (status == "completed") return JobState::Done;
    if (status == "failed") return JobState::Failed;
    if (status == "interrupted") return JobState::Interrupted;
    if (summary.find("error")) return JobState::Failed;
    if (summary.bool_or("interrupted", false)) return JobState::Interrupted;
    return JobState::Done;
}

// An attempt starts by rewriting attempt.txt; every run that gets as far as its folder writes
// progress.json at once (and at its first step, every few seconds, and when it ends). So when
// attempt.txt is newer than progress.json, the latest attempt died before its run folder: a
// usage, recipe or plugin error.
bool latest_attempt_left_no_trace(const fs::path& job_dir) {
    std::error_code ec;
    const auto attempt = fs::last_write_time(job_dir / kAttemptFile, ec);
    if (ec) return false;
    const auto progress = fs::last_write_time(job_dir / kProgressFile, ec);
    if (ec) return false;  // no run yet: the rules below decide
    return progress < attempt;
}

// Terminal control sequences (colours, "erase line") as spdlog and the live progress line
// write them: ESC '[' parameters, then one final byte.
std::string without_escapes(const std::string& line) {
    std::string out;
    for (size_t i = 0; i < line.size(); ++i) {
        if (line[i] == '\x1b' && i + 1 < line.size() && line[i + 1] == '[') {
            i += 2;
            while (i < line.size() && !(line[i] >= '@' && line[i] <= '~')) ++i;
            continue;
        }
        out += line[i];
    }
    return out;
}

}  // namespace

JobStatus read_job_status(const fs::path& job_dir, bool check_lock) {
    JobStatus st;
    std::error_code ec;
    st.has_run = fs::exists(job_dir / "recipe.resolved.toml", ec);
    st.has_checkpoint = fs::exists(job_dir / "checkpoint.ckpt", ec);

    std::string ignored;
    std::optional<JsonValue> progress;
    if (fs::exists(job_dir / kProgressFile, ec)) progress = read_json_file((job_dir / kProgressFile).string(), ignored);
    if (progress) {
        st.step = static_cast<int64_t>(progress->number_or("step", 0));
        st.total = static_cast<int64_t>(progress->number_or("total", 0));
        st.seconds = progress->number_or("elapsed", 0);
        st.steps_per_second = progress->number_or("steps_per_second", 0);
        st.first_step = static_cast<int64_t>(progress->number_or("first_step", 0));
    }

    if (check_lock && lock_is_held(job_dir / kJobLockFile, &st.holder)) {
        st.state = JobState::Running;
        return st;
    }

    if (latest_attempt_left_no_trace(job_dir)) {
        st.state = JobState::Failed;
        st.error = "the latest attempt stopped before training started";
        return st;
    }

    std::optional<JsonValue> summary;
    if (fs::exists(job_dir / "summary.json", ec)) summary = read_json_file((job_dir / "summary.json").string(), ignored);
    // progress.json's state is the latest attempt's word: "running" when it stopped without
    // one (killed), "failed" also when that attempt left an older summary.json alone.
    const std::string attempt = progress ? progress->string_or("state", "") : "";
    const bool attempt_died = attempt == "running";
    if (summary && !attempt_died) {
        st.state = summary_state(*summary);
        if (const JsonValue* steps = summary->find("steps"); steps && steps->is_number())
            st.step = static_cast<int64_t>(steps->number);
        if (const JsonValue* s = summary->find("seconds"); s && s->is_number()) st.seconds = s->number;
        if (st.state == JobState::Failed) st.error = summary->string_or("error", "the run failed");
        if (attempt == "failed" && st.state != JobState::Failed) {
            st.state = JobState::Failed;
            st.error = "the latest attempt failed";
        }
        return st;
    }
    if (attempt == "failed") {
        st.state = JobState::Failed;
        st.error = "the run failed";
        return st;
    }
    if (attempt_died || st.has_run) {
        // Started, then stopped without a word: killed (SIGKILL, out of memory, node lost).
        st.state = JobState::Interrupted;
        return st;
    }
    if (fs::exists(job_dir / kAttemptFile, ec)) {
        // Launched, but the run never got as far as its run folder (a usage or plugin error).
        st.state = JobState::Failed;
        st.error = "the run stopped before training started";
        return st;
    }
    st.state = JobState::Pending;
    return st;
}

std::vector<std::string> last_lines(const fs::path& file, size_t count) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return {};
    // Read only the end of a long file.
    in.seekg(0, std::ios::end);
    const std::streamoff size = in.tellg();
    const std::streamoff window = 64 * 1024;
    in.seekg(size > window ? size - window : 0);
    std::stringstream ss;
    ss << in.rdbuf();
    std::vector<std::string> lines;
    std::string line;
    while (std::getline(ss, line)) {
        if (const size_t cr = line.find_last_of('\r'); cr != std::string::npos) {
            // A live progress line redrawn with \r: keep what was drawn last.
            const std::string rest = line.substr(cr + 1);
            line = rest.empty() ? line.substr(0, cr) : rest;
            if (const size_t cr2 = line.find_last_of('\r'); cr2 != std::string::npos) line = line.substr(cr2 + 1);
        }
        line = without_escapes(line);
        if (line.find_first_not_of(" \t") == std::string::npos) continue;
        lines.push_back(line);
    }
    if (lines.size() > count) lines.erase(lines.begin(), lines.end() - static_cast<std::ptrdiff_t>(count));
    return lines;
}

std::vector<std::string> failure_log_lines(const fs::path& job_dir, size_t count) {
    std::vector<std::string> lines = last_lines(job_dir / kConsoleFile, count);
    if (lines.empty()) lines = last_lines(job_dir / "log.txt", count);
    return lines;
}

}  // namespace idlab::host
