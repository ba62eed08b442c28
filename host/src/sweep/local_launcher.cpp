#include "sweep/local_launcher.hpp"

#include "sweep/eta.hpp"
#include "sweep/job_status.hpp"
#include "sweep/launch_record.hpp"
#include "sweep/lock.hpp"
#include "sweep/status.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstring>
#include <ctime>
#include <deque>
#include <map>
#include <optional>
#include <thread>

namespace idlab::host {
namespace fs = std::filesystem;

namespace {

std::atomic<int> g_signals{0};

extern "C" void count_signal(int) { g_signals.fetch_add(1); }

// SIGINT and SIGTERM only count; the loop forwards them. Restores the old handlers on exit.
class SignalCounter {
public:
    SignalCounter() {
        g_signals.store(0);
        struct sigaction sa;
        std::memset(&sa, 0, sizeof(sa));
        sa.sa_handler = count_signal;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, &old_int_);
        sigaction(SIGTERM, &sa, &old_term_);
    }
    ~SignalCounter() {
        sigaction(SIGINT, &old_int_, nullptr);
        sigaction(SIGTERM, &old_term_, nullptr);
    }
    int count() const { return g_signals.load(); }

private:
    struct sigaction old_int_, old_term_;
};

struct Running {
    size_t job;                 // index into plan.jobs
    FileLock lock;
    std::chrono::steady_clock::time_point started;
};

std::string exit_text(int status) {
    if (WIFEXITED(status)) return "exit status " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status)) {
        const int sig = WTERMSIG(status);
        const char* name = sig == SIGKILL ? "SIGKILL" : sig == SIGTERM ? "SIGTERM" : sig == SIGINT ? "SIGINT" : nullptr;
        return std::string("killed by ") + (name ? name : "signal " + std::to_string(sig));
    }
    return "status " + std::to_string(status);
}

}  // namespace

int run_local(const fs::path& sweep_dir, const SweepPlan& plan, const LocalOptions& options, std::FILE* out) {
    using Clock = std::chrono::steady_clock;
    const int at_once = options.jobs > 0 ? options.jobs : 1;

    // What to run: everything not done, in plan order; running elsewhere is left alone.
    std::deque<size_t> queue;
    size_t already_done = 0, elsewhere = 0;
    for (size_t i = 0; i < plan.jobs.size(); ++i) {
        const JobStatus st = read_job_status(sweep_dir / plan.jobs[i].dir);
        if (st.state == JobState::Done) ++already_done;
        else if (st.state == JobState::Running) ++elsewhere;
        else queue.push_back(i);
    }
    std::fprintf(out, "running %zu job%s, %d at a time (%zu already done%s)\n", queue.size(),
                 queue.size() == 1 ? "" : "s", at_once, already_done,
                 elsewhere ? (", " + std::to_string(elsewhere) + " running elsewhere").c_str() : "");
    std::fflush(out);

    LaunchRecord record;
    record.launcher = "local";
    record.jobs = at_once;
    record.tasks = static_cast<int>(queue.size());
    record.threads = options.settings.threads;
    record.pid = static_cast<long>(getpid());
    record.host = host_name();
    record.started = static_cast<long long>(std::time(nullptr));
    write_launch_record(sweep_dir, record);

    SignalCounter signals;
    int forwarded = 0;
    std::map<pid_t, Running> running;
    size_t finished = 0, failed = 0, stopped = 0;
    const size_t planned = queue.size();
    auto last_status = Clock::now();
    std::vector<size_t> failed_jobs;

    while (!queue.empty() || !running.empty()) {
        if (signals.count() > forwarded) {
            if (forwarded == 0)
                std::fprintf(out, "stopping: no new jobs; asking %zu running job%s to checkpoint and stop\n",
                             running.size(), running.size() == 1 ? "" : "s");
            forwarded = signals.count();
            queue.clear();
            for (const auto& entry : running) kill(entry.first, SIGTERM);
        }

        while (!queue.empty() && static_cast<int>(running.size()) < at_once && forwarded == 0) {
            const size_t index = queue.front();
            queue.pop_front();
            const SweepJob& job = plan.jobs[index];
            const fs::path job_dir = sweep_dir / job.dir;
            try {
                std::error_code ec;
                fs::create_directories(job_dir, ec);
                std::string held_by;
                auto lock = FileLock::try_take(job_dir / kJobLockFile, holder_text(getpid(), "idlab sweep"), held_by);
                if (!lock) {
                    std::fprintf(out, "skip     %s: running elsewhere (%s)\n", job.dir.c_str(), held_by.c_str());
                    continue;
                }
                const JobStatus st = read_job_status(job_dir, false);  // ours now: nobody else can start it
                if (st.state == JobState::Done) continue;
                const bool resume = st.has_run;
                const std::vector<std::string> command = job_command(sweep_dir, job, resume, options.settings);
                const int console = start_attempt(job_dir, command, "idlab sweep (local launcher)");
                const pid_t pid = start_job_process(command, console, lock->fd());
                ::close(console);
                lock->describe(holder_text(pid, "idlab run of sweep pid " + std::to_string(getpid())));
                std::fprintf(out, "start    %s%s\n", job.dir.c_str(),
                             resume ? (st.has_checkpoint ? "  (resuming from its checkpoint)" : "  (restarting)") : "");
                running.emplace(pid, Running{index, std::move(*lock), Clock::now()});
            } catch (const std::exception& e) {
                std::fprintf(out, "failed   %s: %s\n", job.dir.c_str(), e.what());
                ++failed;
                failed_jobs.push_back(index);
            }
            std::fflush(out);
        }

        int status = 0;
        const pid_t pid = waitpid(-1, &status, WNOHANG);
        if (pid > 0) {
            auto it = running.find(pid);
            if (it == running.end()) continue;
            const size_t index = it->second.job;
            const double seconds = std::chrono::duration<double>(Clock::now() - it->second.started).count();
            running.erase(it);  // releases the job's lock
            const SweepJob& job = plan.jobs[index];
            const JobStatus st = read_job_status(sweep_dir / job.dir, false);
            ++finished;
            const std::string count = "[" + std::to_string(finished) + "/" + std::to_string(planned) + "]";
            if (st.state == JobState::Done && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
                std::fprintf(out, "done     %s in %s %s\n", job.dir.c_str(), format_duration(seconds).c_str(),
                             count.c_str());
            } else if (WIFEXITED(status) && WEXITSTATUS(status) == 130) {
                ++stopped;
                std::fprintf(out, "stopped  %s at step %lld; a rerun %s %s\n", job.dir.c_str(),
                             static_cast<long long>(st.step),
                             st.has_checkpoint ? "resumes it from its checkpoint" : "starts it again", count.c_str());
            } else if (WIFSIGNALED(status)) {
                ++failed;
                failed_jobs.push_back(index);
                std::fprintf(out, "killed   %s (%s); a rerun %s %s\n", job.dir.c_str(), exit_text(status).c_str(),
                             st.has_checkpoint ? "resumes it from its checkpoint" : "starts it again", count.c_str());
            } else {
                ++failed;
                failed_jobs.push_back(index);
                std::fprintf(out, "failed   %s (%s) %s; last lines of its console:\n", job.dir.c_str(),
                             exit_text(status).c_str(), count.c_str());
                for (const std::string& l : failure_log_lines(sweep_dir / job.dir, options.failure_lines))
                    std::fprintf(out, "         | %s\n", l.c_str());
            }
            std::fflush(out);
            continue;  // reap everything that has exited before sleeping
        }

        if (std::chrono::duration<double>(Clock::now() - last_status).count() >= options.status_every_seconds) {
            last_status = Clock::now();
            std::fprintf(out, "status   %s\n", status_counts(read_sweep_status(sweep_dir, plan)).c_str());
            std::fflush(out);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(25));  // reaps within 25 ms, costs nothing
    }

    const SweepStatus final_status = read_sweep_status(sweep_dir, plan);
    std::fprintf(out, "sweep '%s': %s\n", plan.name.c_str(), status_counts(final_status).c_str());
    if (!failed_jobs.empty()) {
        std::fprintf(out, "%zu job%s did not finish:", failed_jobs.size(), failed_jobs.size() == 1 ? "" : "s");
        for (size_t i : failed_jobs) std::fprintf(out, " %s", plan.jobs[i].dir.c_str());
        std::fprintf(out, "\n(rerun the same command to retry them; idlab sweep --status %s shows their logs)\n",
                     sweep_dir.string().c_str());
    }
    std::fflush(out);
    if (forwarded > 0 || stopped > 0) return 130;
    if (final_status.done == plan.jobs.size()) return 0;
    return 1;
}

}  // namespace idlab::host
