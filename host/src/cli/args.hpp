// Command-line parsing shared by the subcommands: positionals, key=value overrides and the
// options each command accepts.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace idlab::host {

struct Args {
    std::vector<std::string> positionals;   // e.g. the recipe path, or "describe" and an id
    std::vector<std::string> overrides;     // "key=value", in order
    std::vector<std::string> plugin_dirs;   // --plugin-path DIR (repeatable)
    std::string out_dir;                    // --out DIR
    std::string resume_dir;                 // --resume DIR
    std::string log_level = "info";         // --log-level L
    bool help = false;
};

// Parses argv[first..]; `allowed` lists the options this command takes (e.g. "--out").
// Returns nullopt and writes `error` on a usage error.
std::optional<Args> parse_args(int argc, char** argv, int first,
                               const std::vector<std::string>& allowed, std::string& error);

}  // namespace idlab::host
