#include "sweep/slurm_launcher.hpp"

#include "runtime/atomic_file.hpp"
#include "sweep/job_status.hpp"
#include "sweep/launch_record.hpp"
#include "sweep/lock.hpp"
#include "sweep/manifest.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>

namespace idlab::host {
namespace fs = std::filesystem;

namespace {

std::string stamp() {
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    localtime_r(&now, &tm);
    char buf[32];
    std::strftime(buf, sizeof(buf), "%Y%m%d-%H%M%S", &tm);
    return buf;
}

// Slurm job names: letters, digits, '-' and '_' keep squeue readable.
std::string job_name(const std::string& name) {
    std::string out = "idlab-";
    for (char c : name) out += (isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') ? c : '_';
    return out;
}

// Runs `command` and returns its standard output (and the exit status in `status`).
std::string capture(const std::string& command, int& status) {
    std::string output;
    FILE* pipe = popen(command.c_str(), "r");
    if (!pipe) {
        status = -1;
        return output;
    }
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) output.append(buf, n);
    const int raw = pclose(pipe);
    status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    return output;
}

}  // namespace

std::string slurm_script(const fs::path& sweep_dir, const SweepPlan& plan, const fs::path& task_file,
                         size_t task_count, const SlurmOptions& options) {
    const fs::path dir = fs::absolute(sweep_dir);
    std::string array = "0-" + std::to_string(task_count - 1);
    if (options.jobs > 0) array += "%" + std::to_string(options.jobs);
    const int cpus = options.cpus_per_task > 0 ? options.cpus_per_task : 1;
    std::string s = "#!/bin/bash\n";
    s += "# Written by idlab sweep: one array task per job of the sweep '" + plan.name + "'.\n";
    s += "# Task i runs the job on line i+1 of " + task_file.filename().string() +
         " (a folder of the sweep); rerunning idlab sweep resubmits only what is left.\n";
    s += "#SBATCH --job-name=" + job_name(plan.name) + "\n";
    s += "#SBATCH --array=" + array + "\n";
    s += "#SBATCH --ntasks=1\n";
    s += "#SBATCH --cpus-per-task=" + std::to_string(cpus) + "\n";
    s += "#SBATCH --output=" + (dir / "slurm" / "%A_%a.out").string() + "\n";
    s += "#SBATCH --open-mode=append\n";
    for (const std::string& line : options.sbatch_lines) s += "#SBATCH " + line + "\n";
    s += "set -euo pipefail\n";
    s += "job=$(sed -n \"$((SLURM_ARRAY_TASK_ID + 1))p\" " + shell_words({(dir / "slurm" / task_file.filename()).string()}) + ")\n";
    s += "[ -n \"$job\" ] || { echo \"idlab sweep: no job for array task $SLURM_ARRAY_TASK_ID\" >&2; exit 2; }\n";
    std::vector<std::string> cmd = {options.settings.idlab, "sweep", "--run-job", dir.string()};
    std::string line = "exec " + shell_words(cmd) + " --job \"$job\"";
    if (options.settings.threads > 0) line += " --threads " + std::to_string(options.settings.threads);
    for (const std::string& d : options.settings.plugin_dirs) line += " --plugin-path " + shell_words({d});
    line += " --log-level " + shell_words({options.settings.log_level});
    s += line + "\n";
    return s;
}

int submit_slurm(const fs::path& sweep_dir, const SweepPlan& plan, const SlurmOptions& options, std::FILE* out) {
    std::vector<std::string> todo;
    size_t done = 0, running = 0;
    for (const SweepJob& job : plan.jobs) {
        const JobStatus st = read_job_status(sweep_dir / job.dir);
        if (st.state == JobState::Done) ++done;
        else if (st.state == JobState::Running) ++running;
        else todo.push_back(job.dir);
    }
    if (todo.empty()) {
        std::fprintf(out, "nothing to submit: %zu done, %zu running\n", done, running);
        return 0;
    }
    const fs::path slurm_dir = sweep_dir / "slurm";
    std::error_code ec;
    fs::create_directories(slurm_dir, ec);
    const std::string base = "array-" + stamp();
    const fs::path task_file = slurm_dir / (base + ".jobs");
    const fs::path script_file = slurm_dir / (base + ".sbatch");
    std::string tasks;
    for (const std::string& t : todo) tasks += t + "\n";
    write_file_atomically(task_file, tasks);
    write_file_atomically(script_file, slurm_script(sweep_dir, plan, task_file, todo.size(), options));

    int status = 0;
    const std::string command = shell_words({options.sbatch, "--parsable", script_file.string()}) + " 2>&1";
    std::string output = capture(command, status);
    while (!output.empty() && (output.back() == '\n' || output.back() == '\r')) output.pop_back();
    if (status != 0) {
        std::fprintf(out, "idlab sweep: sbatch failed (%s):\n%s\nthe script is %s\n",
                     status < 0 ? "could not run it" : ("exit status " + std::to_string(status)).c_str(),
                     output.c_str(), script_file.string().c_str());
        return 1;
    }
    // --parsable prints "jobid" or "jobid;cluster", possibly after warnings.
    std::string id = output.substr(output.find_last_of('\n') == std::string::npos ? 0 : output.find_last_of('\n') + 1);
    id = id.substr(0, id.find(';'));

    LaunchRecord record;
    record.launcher = "slurm";
    record.jobs = options.jobs;
    record.tasks = static_cast<int>(todo.size());
    record.threads = options.settings.threads;
    record.slurm_job = id;
    record.pid = static_cast<long>(getpid());
    record.host = host_name();
    record.started = static_cast<long long>(std::time(nullptr));
    write_launch_record(sweep_dir, record);

    std::fprintf(out, "submitted Slurm job array %s: %zu task%s%s (%s)\n", id.c_str(), todo.size(),
                 todo.size() == 1 ? "" : "s",
                 options.jobs > 0 ? (", " + std::to_string(options.jobs) + " at a time").c_str() : "",
                 script_file.string().c_str());
    std::fprintf(out, "follow it with: idlab sweep --status %s   (squeue -j %s)\n", sweep_dir.string().c_str(),
                 id.c_str());
    return 0;
}

}  // namespace idlab::host
