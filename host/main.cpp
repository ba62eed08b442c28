// idlab: the command-line entry point. Dispatches to a subcommand; nothing else lives here.
#include "cli/commands.hpp"

#include <cstdio>
#include <cstring>
#include <string>

namespace {
const char* kHelp =
    "usage: idlab COMMAND [ARGS...]\n"
    "\n"
    "commands:\n"
    "  run RECIPE [key=value ...] [--out DIR]   train and evaluate; writes a run folder\n"
    "  run --resume DIR                         go on with the run in DIR from its checkpoint\n"
    "  check RECIPE [key=value ...]             validate a recipe without running it\n"
    "  sweep RECIPE [key=v1,v2 ...] [--seeds N] run a grid of runs (J at a time, or on Slurm)\n"
    "  sweep --status DIR                       where a sweep stands: done/running/failed, ETA\n"
    "  report DIR                               mean +- std tables, plots and index.html\n"
    "  plugins                                  list plugins, components and load problems\n"
    "  plugins describe ID                      parameters and docs of one component\n"
    "  version                                  idlab and plugin ABI versions\n"
    "\n"
    "Common options: --plugin-path DIR (repeatable), --log-level debug|info|warn|error.\n"
    "`idlab COMMAND --help` tells more. Exit status: 0 ok, 1 runtime failure,\n"
    "2 usage, recipe or plugin error, 130 interrupted.\n";
}  // namespace

int main(int argc, char** argv) {
    using namespace idlab::host;
    if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h") ||
        !std::strcmp(argv[1], "help")) {
        std::fputs(kHelp, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }
    const std::string command = argv[1];
    if (command == "run") return command_run(argc, argv);
    if (command == "check") return command_check(argc, argv);
    if (command == "sweep") return command_sweep(argc, argv);
    if (command == "report") return command_report(argc, argv);
    if (command == "plugins") return command_plugins(argc, argv);
    if (command == "version" || command == "--version") return command_version(argc, argv);
    std::fprintf(stderr, "idlab: unknown command '%s'\n%s", command.c_str(), kHelp);
    return EXIT_USAGE;
}
