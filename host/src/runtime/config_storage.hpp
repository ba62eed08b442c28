// Turns a validated StageConfig into the flat C config a component's create() reads.
#pragma once

#include "recipe/recipe.hpp"

#include <idlab/plugin.h>

#include <vector>

namespace idlab::host {

class ConfigStorage {
public:
    explicit ConfigStorage(const StageConfig& stage);
    ConfigStorage(const ConfigStorage&) = delete;
    ConfigStorage& operator=(const ConfigStorage&) = delete;
    // Valid while this object lives.
    const idlab_config_t* get() const { return &config_; }

private:
    const StageConfig& stage_;  // owns the strings and lists the entries point into
    std::vector<idlab_config_entry_t> entries_;
    idlab_config_t config_{};
};

}  // namespace idlab::host
