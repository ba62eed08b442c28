// `idlab version`.
#include "cli/commands.hpp"

#include <idlab/plugin.h>

#include <cstdio>
#include <cstring>

namespace idlab::host {

int command_version(int argc, char** argv) {
    for (int i = 2; i < argc; ++i) {
        if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
            std::printf("usage: idlab version\n\nPrints the idlab version and its plugin ABI version.\n");
            return EXIT_OK;
        }
        std::fprintf(stderr, "idlab version: unexpected argument '%s'\n", argv[i]);
        return EXIT_USAGE;
    }
    std::printf("idlab %s (plugin ABI %d.%d.%d)\n", IDLAB_VERSION, IDLAB_ABI_VERSION_MAJOR,
                IDLAB_ABI_VERSION_MINOR, IDLAB_ABI_VERSION_PATCH);
    return EXIT_OK;
}

}  // namespace idlab::host
