// Whole runs with run.device = "cuda" next to the same recipe on the CPU, through the host's
// trainer: the same data stream (the baseline, which scores the raw data, agrees to float
// rounding) and R² trajectories within noise. Built twice: against the real CUDA plugin (needs
// a GPU; says why it does not run without one) and against the plugin built for the fake CUDA
// runtime and the host emulation of the kernels (small runs, any machine).
#include "cli/session.hpp"
#include "plugin/registry.hpp"
#include "recipe/recipe.hpp"
#include "runtime/progress.hpp"
#include "runtime/trainer.hpp"

#include <catch2/catch.hpp>
#include <spdlog/spdlog.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <unistd.h>

namespace fs = std::filesystem;
using namespace idlab::host;

namespace {

#if defined(IDLAB_CUDA_EMULATION)
constexpr bool kEmulated = true;
#else
constexpr bool kEmulated = false;
#endif

// Where the plugins are: this build's, unless IDLAB_TEST_PLUGIN_DIR says otherwise (a build
// carried to a GPU machine, see bench/cuda/prepare.sh).
fs::path plugin_dir() {
    const char* dir = std::getenv("IDLAB_TEST_PLUGIN_DIR");
    return dir && *dir ? fs::path(dir) : fs::path(IDLAB_BUILD_PLUGIN_DIR);
}

fs::path cuda_plugin_file() {
    const fs::path built = CUDA_PLUGIN_FILE;
    const char* dir = std::getenv("IDLAB_TEST_PLUGIN_DIR");
    return dir && *dir ? plugin_dir() / built.filename() : built;
}

fs::path work_dir() {
    const char* dir = std::getenv("IDLAB_TEST_WORK_DIR");
    return dir && *dir ? fs::path(dir) : fs::path(PIPELINE_TEST_WORK_DIR);
}

// The core plugins and the CUDA plugin under test, file by file. Null (after saying why) when
// the CUDA plugin cannot run here.
std::unique_ptr<Registry> registry_with_cuda() {
    spdlog::set_level(spdlog::level::warn);
    auto registry = std::make_unique<Registry>();
    for (const char* name : {"core-data", "core-encoders", "core-losses", "core-optim", "core-metrics"})
        REQUIRE(registry->load_file(plugin_dir() / ("libidlab-" + std::string(name) + ".so")));
    REQUIRE(registry->load_file(cuda_plugin_file()));
    for (const auto& p : registry->problems()) INFO(p.message);
    REQUIRE(registry->problems().empty());
    const DeviceLookup cuda = registry->find_device("cuda");
    if (!cuda.table) {
        std::printf("skipped (%s): %s\n", Catch::getResultCapture().getCurrentTestName().c_str(),
                    cuda.error.c_str());
        return nullptr;
    }
    return registry;
}

Recipe resolve(const Registry& registry, const std::string& text, const std::vector<std::string>& overrides) {
    const fs::path dir = work_dir();
    fs::create_directories(dir);
    // One file per process: CTest runs this binary's test cases in parallel processes.
    const fs::path file = dir / ("recipe-" + std::to_string(::getpid()) + ".toml");
    std::ofstream(file) << text;
    std::vector<Diagnostic> diagnostics;
    auto recipe = load_recipe(file.string(), overrides, component_source(registry), diagnostics);
    fs::remove(file);
    std::string why;
    for (const Diagnostic& d : diagnostics) why += format_diagnostic(d, overrides);
    INFO(why);
    REQUIRE(recipe);
    return *recipe;
}

RunSummary train(const Registry& registry, const Recipe& recipe) {
    const DeviceLookup device = registry.find_device(recipe.run.find("device")->string_value);
    REQUIRE(device.error.empty());
    Trainer trainer(recipe, registry.host_services(), device.table);
    Progress progress(recipe.train.find("steps")->int_value, false);
    return trainer.run(progress, [](const Evaluation&) {});
}

double value_of(const NamedValues& values, const std::string& name) {
    for (const auto& [k, v] : values)
        if (k == name) return v;
    FAIL("no value " << name);
    return 0.0;
}

// How far the R² of the two devices may drift apart. Not float rounding alone: the Linear bias
// before each batch norm has a gradient that is zero up to rounding, and Adam turns that
// rounding noise into steps of about lr, which differ between devices (as between PyTorch and
// this CPU code); the bias does not change what the network computes in training, but enters
// the running mean, and so the features at evaluation, until the running mean catches up.
constexpr double kR2Noise = 0.02;

// Runs the recipe on both devices and compares what a user reads.
void compare_devices(const std::string& text, const std::vector<std::string>& overrides,
                     const std::vector<std::string>& values, double tolerance) {
    auto registry = registry_with_cuda();
    if (!registry) return;
    const RunSummary cpu = train(*registry, resolve(*registry, text, overrides));
    std::vector<std::string> on_gpu = overrides;
    on_gpu.push_back("run.device=cuda");
    const RunSummary gpu = train(*registry, resolve(*registry, text, on_gpu));
    // The baseline scores x itself: the same data stream gives the same numbers.
    for (const auto& [name, v] : cpu.baseline) {
        INFO("baseline " << name);
        CHECK(std::abs(value_of(gpu.baseline, name) - v) < 1e-6);
    }
    REQUIRE(gpu.evaluations.size() == cpu.evaluations.size());
    for (size_t i = 0; i < cpu.evaluations.size(); ++i) {
        const Evaluation &c = cpu.evaluations[i], &g = gpu.evaluations[i];
        std::printf("step %lld: loss cpu %.5f gpu %.5f", static_cast<long long>(c.step), c.train_loss, g.train_loss);
        for (const std::string& name : values) {
            const double a = value_of(c.values, name), b = value_of(g.values, name);
            std::printf(", %s cpu %.4f gpu %.4f", name.c_str(), a, b);
            INFO("step " << c.step << ": " << name);
            CHECK(std::abs(a - b) < tolerance);
        }
        std::printf("\n");
        CHECK(std::abs(g.train_loss - c.train_loss) < 0.05 * std::abs(c.train_loss) + 0.01);
    }
    if (!kEmulated) std::printf("steps/s: cpu %.1f, gpu %.1f\n", cpu.steps / cpu.train_seconds, gpu.steps / gpu.train_seconds);
}

// The paper's DIET and supervised settings: the recipes' own on a GPU, a small version under
// the host emulation (the same code, minutes instead of seconds otherwise).
std::string recipe_text(const char* loss_fragment) {
    return std::string(R"(
[run]
name = "cuda-pipeline"
seed = 2

[data]
kind = "core.vmf_clusters"
latent_dim = 5
clusters = 100
samples = 1000
kappa = 10.0
mixing_layers = 4

[encoder]
kind = "core.mlp"
hidden = [50, 250, 250, 250, 250, 50]

[optimizer]
kind = "core.adam"
lr = 1e-3

[train]
steps = 1500
batch_size = 1024
eval_every = 500
eval_samples = 4096
)") + loss_fragment;
}

const std::vector<std::string> kSmall = {"data.clusters=12", "data.samples=60", "data.mixing_trials=200",
                                         "encoder.hidden=[16,16]", "train.steps=40", "train.batch_size=32",
                                         "train.eval_every=20", "train.eval_samples=128"};

}  // namespace

TEST_CASE("cuda pipeline: DIET on the GPU follows the CPU run", "[cuda][gpu][pipeline]") {
    const char* diet = R"(
[loss]
kind = "core.cross_entropy"
target = "index"

[[metrics]]
kind = "core.linear_r2"
intercept = true

[[metrics]]
kind = "core.head_r2"
intercept = true
)";
    compare_devices(recipe_text(diet), kEmulated ? kSmall : std::vector<std::string>{},
                    {"linear_r2", "head_r2"}, kR2Noise);
}

TEST_CASE("cuda pipeline: supervised classification on the GPU follows the CPU run", "[cuda][gpu][pipeline]") {
    const char* supervised = R"(
[loss]
kind = "core.cross_entropy"
target = "label"

[[metrics]]
kind = "core.linear_r2"
intercept = true
)";
    compare_devices(recipe_text(supervised), kEmulated ? kSmall : std::vector<std::string>{}, {"linear_r2"},
                    kR2Noise);
}

TEST_CASE("cuda pipeline: InfoNCE on the GPU follows the CPU run", "[cuda][gpu][pipeline]") {
    const std::string text = R"(
[run]
name = "cuda-infonce"
seed = 4

[data]
kind = "core.contrastive_pairs"
latent_dim = 5
mixing_layers = 3

[encoder]
kind = "core.mlp"
hidden = [50, 250, 250, 50]

[loss]
kind = "core.infonce"

[optimizer]
kind = "core.adam"

[train]
steps = 1000
batch_size = 1024
eval_every = 500
eval_samples = 4096

[[metrics]]
kind = "core.linear_r2"
)";
    const std::vector<std::string> small = {"data.mixing_trials=200", "encoder.hidden=[16,16]", "train.steps=40",
                                            "train.batch_size=32", "train.eval_every=20", "train.eval_samples=256"};
    compare_devices(text, kEmulated ? small : std::vector<std::string>{}, {"linear_r2"}, kR2Noise);
}
