// `idlab check RECIPE [key=value ...]`: validate only (keys, types, ranges, plugins).
#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "cli/session.hpp"
#include "runtime/logging.hpp"

#include <cstdio>

namespace idlab::host {

namespace {
const char* kCheckHelp =
    "usage: idlab check RECIPE [key=value ...] [--plugin-path DIR]\n"
    "\n"
    "Validates a recipe without running it: TOML syntax, includes, overrides, every key\n"
    "against its component's parameter spec (names, types, ranges, choices) and that every\n"
    "component is provided by a loaded plugin. All errors are listed in one pass.\n"
    "Exit status: 0 valid, 2 errors found or usage error.\n";
}  // namespace

int command_check(int argc, char** argv) {
    std::string usage_error;
    auto args = parse_args(argc, argv, 2, {"--plugin-path", "--log-level"}, usage_error);
    if (args && args->help) {
        std::fputs(kCheckHelp, stdout);
        return EXIT_OK;
    }
    if (args && args->positionals.size() != 1) usage_error = "expected exactly one recipe file";
    if (!args || !usage_error.empty()) {
        std::fprintf(stderr, "idlab check: %s\n%s", usage_error.c_str(), kCheckHelp);
        return EXIT_USAGE;
    }
    setup_console_logging(args->log_level);
    auto registry = open_registry(args->plugin_dirs);
    auto recipe = resolve_recipe(args->positionals[0], args->overrides, *registry);
    if (!recipe) return EXIT_USAGE;
    std::printf("%s: ok (data %s, encoder %s, loss %s, optimizer %s, %zu metric%s)\n",
                args->positionals[0].c_str(), recipe->data.kind.c_str(),
                recipe->encoder.kind.c_str(), recipe->loss.kind.c_str(),
                recipe->optimizer.kind.c_str(), recipe->metrics.size(),
                recipe->metrics.size() == 1 ? "" : "s");
    return EXIT_OK;
}

}  // namespace idlab::host
