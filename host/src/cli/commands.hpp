// The idlab subcommands. Each returns the process exit code:
// 0 ok, 1 runtime failure, 2 usage, recipe or plugin error (130 after an interrupted run).
#pragma once

namespace idlab::host {

enum ExitCode { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2, EXIT_INTERRUPTED = 130 };

int command_run(int argc, char** argv);
int command_check(int argc, char** argv);
int command_sweep(int argc, char** argv);
int command_report(int argc, char** argv);
int command_plugins(int argc, char** argv);
int command_version(int argc, char** argv);

}  // namespace idlab::host
