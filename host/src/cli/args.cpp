#include "cli/args.hpp"

#include <algorithm>

namespace idlab::host {

std::optional<std::string> Args::option(const std::string& name) const {
    std::optional<std::string> value;
    for (const auto& [n, v] : options)
        if (n == name) value = v;
    return value;
}

std::vector<std::string> Args::option_values(const std::string& name) const {
    std::vector<std::string> values;
    for (const auto& [n, v] : options)
        if (n == name) values.push_back(v);
    return values;
}

std::optional<Args> parse_args(int argc, char** argv, int first,
                               const std::vector<std::string>& allowed, std::string& error,
                               const std::vector<std::string>& flags) {
    Args args;
    auto takes = [&](const std::string& opt) {
        return std::find(allowed.begin(), allowed.end(), opt) != allowed.end();
    };
    for (int i = first; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--help" || a == "-h") {
            args.help = true;
            continue;
        }
        if (a.rfind("--", 0) == 0) {
            std::string name = a, value;
            bool inline_value = false;
            if (auto eq = a.find('='); eq != std::string::npos) {
                name = a.substr(0, eq);
                value = a.substr(eq + 1);
                inline_value = true;
            }
            if (std::find(flags.begin(), flags.end(), name) != flags.end()) {
                if (inline_value) {
                    error = "option '" + name + "' takes no value";
                    return std::nullopt;
                }
                args.options.emplace_back(name, "");
                continue;
            }
            if (!takes(name)) {
                error = "unknown option '" + name + "'";
                return std::nullopt;
            }
            if (!inline_value) {
                if (i + 1 >= argc) {
                    error = "option '" + name + "' needs a value";
                    return std::nullopt;
                }
                value = argv[++i];
            }
            if (name == "--plugin-path") args.plugin_dirs.push_back(value);
            else if (name == "--out") args.out_dir = value;
            else if (name == "--resume") args.resume_dir = value;
            else if (name == "--log-level") args.log_level = value;
            else args.options.emplace_back(name, value);
            continue;
        }
        if (a.find('=') != std::string::npos && a.rfind("-", 0) != 0) {
            args.overrides.push_back(a);
            continue;
        }
        args.positionals.push_back(a);
    }
    return args;
}

}  // namespace idlab::host
