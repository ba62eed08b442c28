#include "sweep/job_process.hpp"

#include "runtime/atomic_file.hpp"
#include "sweep/job_status.hpp"
#include "sweep/lock.hpp"
#include "sweep/manifest.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <stdexcept>

namespace idlab::host {
namespace fs = std::filesystem;

std::string self_executable() {
    std::error_code ec;
    fs::path p = fs::read_symlink("/proc/self/exe", ec);
    if (ec) throw std::runtime_error("cannot find the idlab executable (/proc/self/exe): " + ec.message());
    return p.string();
}

std::vector<std::string> job_command(const fs::path& sweep_dir, const SweepJob& job, bool resume,
                                     const LaunchSettings& settings) {
    const fs::path job_dir = sweep_dir / job.dir;
    std::vector<std::string> cmd = {settings.idlab, "run"};
    if (resume) {
        cmd.push_back("--resume");
        cmd.push_back(job_dir.string());
    } else {
        cmd.push_back((sweep_dir / kBaseRecipeFile).string());
        cmd.insert(cmd.end(), job.overrides.begin(), job.overrides.end());
        if (settings.threads > 0) cmd.push_back("run.threads=" + std::to_string(settings.threads));
        cmd.push_back("--out");
        cmd.push_back(job_dir.string());
    }
    for (const std::string& d : settings.plugin_dirs) {
        cmd.push_back("--plugin-path");
        cmd.push_back(d);
    }
    cmd.push_back("--log-level");
    cmd.push_back(settings.log_level);
    return cmd;
}

std::string shell_words(const std::vector<std::string>& command) {
    std::string out;
    for (const std::string& w : command) {
        bool plain = !w.empty();
        for (char c : w)
            if (!(isalnum(static_cast<unsigned char>(c)) || std::strchr("-_./=+:,@%", c))) plain = false;
        if (!out.empty()) out += ' ';
        if (plain) {
            out += w;
            continue;
        }
        out += '\'';
        for (char c : w) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
        out += '\'';
    }
    return out;
}

int start_attempt(const fs::path& job_dir, const std::vector<std::string>& command,
                  const std::string& launched_by) {
    std::error_code ec;
    fs::create_directories(job_dir, ec);
    if (ec) throw std::runtime_error("cannot create '" + job_dir.string() + "': " + ec.message());
    const std::string who = holder_text(static_cast<long>(getpid()), launched_by);
    write_file_atomically(job_dir / kAttemptFile, who + "\n" + shell_words(command) + "\n");
    const fs::path file = job_dir / kConsoleFile;
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) throw std::runtime_error("cannot write '" + file.string() + "': " + std::strerror(errno));
    const std::string header = "== idlab sweep: " + who + ": " + shell_words(command) + "\n";
    if (::write(fd, header.data(), header.size()) < 0) {
        // Not fatal: the run's own output still lands in the file.
    }
    return fd;
}

namespace {

// After fork or before exec: wire the descriptors. Only async-signal-safe calls.
void prepare_child_fds(int console_fd, int keep_fd) {
    const int null_fd = ::open("/dev/null", O_RDONLY);
    if (null_fd >= 0) {
        dup2(null_fd, STDIN_FILENO);
        if (null_fd != STDIN_FILENO) ::close(null_fd);
    }
    dup2(console_fd, STDOUT_FILENO);
    dup2(console_fd, STDERR_FILENO);
    if (keep_fd >= 0) {
        const int flags = fcntl(keep_fd, F_GETFD);
        if (flags >= 0) fcntl(keep_fd, F_SETFD, flags & ~FD_CLOEXEC);
    }
}

std::vector<char*> argv_of(const std::vector<std::string>& command) {
    std::vector<char*> argv;
    for (const std::string& a : command) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    return argv;
}

}  // namespace

pid_t start_job_process(const std::vector<std::string>& command, int console_fd, int keep_fd) {
    std::vector<char*> argv = argv_of(command);
    const pid_t pid = fork();
    if (pid < 0) throw std::runtime_error(std::string("cannot start a job: fork: ") + std::strerror(errno));
    if (pid == 0) {
        setpgid(0, 0);
        prepare_child_fds(console_fd, keep_fd);
        execv(argv[0], argv.data());
        const char* msg = "idlab sweep: cannot execute the job's command\n";
        if (::write(STDERR_FILENO, msg, std::strlen(msg)) < 0) {
        }
        _exit(127);
    }
    setpgid(pid, pid);  // also from the parent, so the group exists before any signal is sent
    return pid;
}

void exec_job_process(const std::vector<std::string>& command, int console_fd, int keep_fd) {
    std::vector<char*> argv = argv_of(command);
    prepare_child_fds(console_fd, keep_fd);
    execv(argv[0], argv.data());
}

}  // namespace idlab::host
