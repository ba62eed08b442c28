// Command-line parsing shared by the subcommands: positionals, key=value overrides and the
// options each command accepts.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace idlab::host {

struct Args {
    std::vector<std::string> positionals;   // e.g. the recipe path, or "describe" and an id
    std::vector<std::string> overrides;     // "key=value", in order
    std::vector<std::string> plugin_dirs;   // --plugin-path DIR (repeatable)
    std::string out_dir;                    // --out DIR
    std::string resume_dir;                 // --resume DIR
    std::string log_level = "info";         // --log-level L
    // Every other option the command allows, with its value, in order (--seeds 3, --jobs 2).
    std::vector<std::pair<std::string, std::string>> options;
    bool help = false;

    // The last value given for `name`, if any.
    std::optional<std::string> option(const std::string& name) const;
    // Every value given for a repeatable option, in order.
    std::vector<std::string> option_values(const std::string& name) const;
};

// Parses argv[first..]; `allowed` lists the options this command takes (e.g. "--out"), each
// with a value, and `flags` those it takes without one (stored in `options` with value "").
// Returns nullopt and writes `error` on a usage error.
std::optional<Args> parse_args(int argc, char** argv, int first,
                               const std::vector<std::string>& allowed, std::string& error,
                               const std::vector<std::string>& flags = {});

}  // namespace idlab::host
