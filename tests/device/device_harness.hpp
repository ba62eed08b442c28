// What the device-plumbing tests share: a registry with the core CPU plugins and the fake CUDA
// device (tests/device/fake_cuda), recipes resolved against it, runs of the Trainer, and the
// fake device's counters.
#pragma once

#include "cli/session.hpp"
#include "plugin/registry.hpp"
#include "recipe/recipe.hpp"
#include "runtime/progress.hpp"
#include "runtime/trainer.hpp"

#include "fake_cuda/counters.h"

#include <catch2/catch.hpp>
#include <dlfcn.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

namespace device_test {

namespace fs = std::filesystem;
using namespace idlab::host;

// The core plugins and the fake device, loaded file by file (the build's plugin folder may
// also hold the real CUDA plugin, which declares the same ids for the same device).
inline std::unique_ptr<Registry> fake_device_registry() {
    spdlog::set_level(spdlog::level::warn);  // the runs' info lines are not what is tested
    auto registry = std::make_unique<Registry>();
    for (const char* name : {"core-data", "core-encoders", "core-losses", "core-optim", "core-metrics"})
        REQUIRE(registry->load_file(fs::path(IDLAB_BUILD_PLUGIN_DIR) / ("libidlab-" + std::string(name) + ".so")));
    REQUIRE(registry->load_file(FAKE_CUDA_PLUGIN));
    INFO("load problems: " << registry->problems().size());
    REQUIRE(registry->problems().empty());
    return registry;
}

// The fixture's counters, found in the library the registry loaded.
inline const fake_cuda_counters_t& counters() {
    void* lib = dlopen(FAKE_CUDA_PLUGIN, RTLD_NOW | RTLD_NOLOAD);
    REQUIRE(lib != nullptr);
    auto fn = reinterpret_cast<fake_cuda_counters_fn>(dlsym(lib, FAKE_CUDA_COUNTERS_SYMBOL));
    dlclose(lib);  // the registry still holds it
    REQUIRE(fn != nullptr);
    return *fn();
}

inline void reset_counters() {
    void* lib = dlopen(FAKE_CUDA_PLUGIN, RTLD_NOW | RTLD_NOLOAD);
    REQUIRE(lib != nullptr);
    auto fn = reinterpret_cast<fake_cuda_reset_fn>(dlsym(lib, FAKE_CUDA_RESET_SYMBOL));
    dlclose(lib);
    REQUIRE(fn != nullptr);
    fn();
}

inline std::string write_recipe(const std::string& name, const std::string& text) {
    const fs::path dir = fs::path(DEVICE_TEST_WORK_DIR);
    fs::create_directories(dir);
    const fs::path file = dir / (name + ".toml");
    std::ofstream(file) << text;
    return file.string();
}

inline Recipe resolve(const Registry& registry, const std::string& path,
                      const std::vector<std::string>& overrides) {
    std::vector<Diagnostic> diagnostics;
    std::optional<Recipe> recipe = load_recipe(path, overrides, component_source(registry), diagnostics);
    std::string text;
    for (const Diagnostic& d : diagnostics) text += format_diagnostic(d, overrides);
    INFO(text);
    REQUIRE(recipe);
    return *recipe;
}

// Trains the recipe on the device it names.
inline RunSummary train(const Registry& registry, const Recipe& recipe) {
    const DeviceLookup device = registry.find_device(recipe.run.find("device")->string_value);
    REQUIRE(device.error.empty());
    Trainer trainer(recipe, registry.host_services(), device.table);
    Progress progress(recipe.train.find("steps")->int_value, false);
    return trainer.run(progress, [](const Evaluation&) {});
}

// A small DIET run: every metric that reads a stage tensor (the head, the cluster vectors).
inline const char* kDietRecipe = R"(
[run]
name = "device-diet"
seed = 3
threads = 1

[data]
kind = "core.vmf_clusters"
latent_dim = 3
clusters = 12
samples = 96
mixing_layers = 2
mixing_trials = 50

[encoder]
kind = "core.mlp"
hidden = [16, 16]

[loss]
kind = "core.cross_entropy"
target = "index"

[optimizer]
kind = "core.adam"

[train]
steps = 30
batch_size = 32
eval_every = 10
eval_samples = 64

[[metrics]]
kind = "core.linear_r2"

[[metrics]]
kind = "core.head_r2"
)";

// A small InfoNCE run: two views, stacked by the host before the encoder.
inline const char* kInfoNceRecipe = R"(
[run]
name = "device-infonce"
seed = 5
threads = 1

[data]
kind = "core.contrastive_pairs"
latent_dim = 3
mixing_layers = 2
mixing_trials = 50

[encoder]
kind = "core.mlp"
hidden = [16, 16]

[loss]
kind = "core.infonce"

[optimizer]
kind = "core.adam"

[train]
steps = 20
batch_size = 32
eval_every = 10
eval_samples = 64

[[metrics]]
kind = "core.linear_r2"
)";

}  // namespace device_test
