// `idlab plugins` and `idlab plugins describe ID`.
#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "cli/session.hpp"
#include "plugin/describe.hpp"
#include "runtime/logging.hpp"

#include <cstdio>

namespace idlab::host {

namespace {
const char* kPluginsHelp =
    "usage: idlab plugins [--plugin-path DIR]\n"
    "       idlab plugins describe ID [--plugin-path DIR]\n"
    "\n"
    "Lists every plugin found and its components, and every file that could not be loaded\n"
    "with the reason; `describe` shows one component's parameters (type, default, range,\n"
    "doc) and devices.\n"
    "Plugins are searched in each --plugin-path DIR, then IDLAB_PLUGIN_PATH (':'-separated),\n"
    "then the plugin folder of this build or install.\n";
}  // namespace

int command_plugins(int argc, char** argv) {
    std::string usage_error;
    auto args = parse_args(argc, argv, 2, {"--plugin-path", "--log-level"}, usage_error);
    if (args && args->help) {
        std::fputs(kPluginsHelp, stdout);
        return EXIT_OK;
    }
    if (args) {
        const auto& p = args->positionals;
        bool list = p.empty();
        bool describe = p.size() == 2 && p[0] == "describe";
        if (!list && !describe)
            usage_error = p.size() >= 1 && p[0] == "describe" ? "describe takes one component id"
                                                              : "unknown arguments";
        if (!args->overrides.empty()) usage_error = "unexpected key=value argument";
    }
    if (!args || !usage_error.empty()) {
        std::fprintf(stderr, "idlab plugins: %s\n%s", usage_error.c_str(), kPluginsHelp);
        return EXIT_USAGE;
    }
    setup_console_logging(args->log_level);
    Registry registry;
    std::vector<std::filesystem::path> path = plugin_search_path(args->plugin_dirs);
    registry.load_directories(path);

    if (args->positionals.empty()) {
        std::fputs(format_plugin_list(registry).c_str(), stdout);
        std::printf("\nsearched:");
        for (const auto& dir : path) std::printf(" %s", dir.string().c_str());
        std::printf("\n");
        return EXIT_OK;
    }
    const std::string& id = args->positionals[1];
    Lookup found = registry.find(id, IDLAB_DEVICE_CPU | IDLAB_DEVICE_CUDA);
    if (!found.component) {
        // An unavailable or clashing component is still worth describing, but a recipe cannot
        // use it: say why first.
        for (const ComponentRef& c : registry.components())
            if (id == c.desc->id) found.component = &c;
        if (found.component) std::fprintf(stderr, "warning: %s\n", found.error.c_str());
    }
    if (!found.component) {
        std::fprintf(stderr, "idlab plugins describe: %s\n", found.error.c_str());
        return EXIT_USAGE;
    }
    std::fputs(format_component(*found.component).c_str(), stdout);
    return EXIT_OK;
}

}  // namespace idlab::host
