#include "dataset_path.hpp"

#include <idlab/plugin.hpp>

#include <cstdlib>

namespace idlab::images {

std::string resolve_dataset_path(const std::string& configured, const std::string& default_subpath,
                                 const std::string& component_id, const std::string& published) {
    if (!configured.empty()) return configured;
    const char* root = std::getenv("IDLAB_DATA");
    if (root && *root) {
        std::string base(root);
        if (base.back() != '/') base += '/';
        return base + default_subpath;
    }
    idlab::config_error("path", component_id + ": no data location: set `path` in the recipe, or the IDLAB_DATA "
                                "environment variable to a folder holding " + default_subpath + ". " + published);
}

}  // namespace idlab::images
