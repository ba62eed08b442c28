// The host's device plumbing (ABI 1.2 device tables), run on the fake CUDA device: what the
// host allocates through the table, which context and stream every call gets, which copies
// cross between the CPU and the device and when, and that the numbers are those of the CPU run.
#include "device_harness.hpp"

#include "plugin/describe.hpp"
#include "plugin/host_services.hpp"
#include "runtime/device_runtime.hpp"
#include "runtime/tensor_buffer.hpp"

#include <cmath>
#include <cstring>

using namespace device_test;

namespace {

void require_same_numbers(const RunSummary& cpu, const RunSummary& dev) {
    REQUIRE(cpu.evaluations.size() == dev.evaluations.size());
    CHECK(cpu.baseline == dev.baseline);
    for (size_t i = 0; i < cpu.evaluations.size(); ++i) {
        INFO("evaluation " << i);
        CHECK(cpu.evaluations[i].step == dev.evaluations[i].step);
        CHECK(cpu.evaluations[i].train_loss == dev.evaluations[i].train_loss);  // bit for bit
        CHECK(cpu.evaluations[i].values == dev.evaluations[i].values);
    }
}

}  // namespace

TEST_CASE("run.device = cuda finds the plugin's device table; host memory for it goes there",
          "[device]") {
    auto registry = fake_device_registry();
    const DeviceLookup cuda = registry->find_device("cuda");
    REQUIRE(cuda.error.empty());
    REQUIRE(cuda.table != nullptr);
    CHECK(std::string(cuda.table->name) == "cuda");
    CHECK(cuda.table->device_type == kDLCUDA);
    CHECK(registry->find_device("cpu").table == nullptr);
    CHECK(registry->find_device("cpu").error.empty());

    // idlab_host_t.alloc / free for the device type go to the table.
    reset_counters();
    const idlab_host_t* host = registry->host_services();
    const DLDevice dev{kDLCUDA, 0};
    void* p = host->alloc(host, dev, 1000, 0);
    REQUIRE(p != nullptr);
    CHECK(counters().allocs == 1);
    CHECK(counters().live_allocs == 1);
    host->free(host, dev, p);
    CHECK(counters().frees == 1);
    CHECK(counters().live_allocs == 0);
    // A device nobody serves still gets NULL.
    CHECK(host->alloc(host, DLDevice{kDLROCM, 0}, 64, 0) == nullptr);
}

TEST_CASE("idlab plugins says which plugin serves a device", "[device]") {
    auto registry = fake_device_registry();
    const std::string listing = format_plugin_list(*registry);
    const size_t fake = listing.find("test.fake-cuda ");
    REQUIRE(fake != std::string::npos);
    CHECK(listing.find("  serves the device: cuda (run.device = \"cuda\")\n", fake) != std::string::npos);
    CHECK(listing.find("serves the device") == listing.rfind("serves the device"));  // only there
}

TEST_CASE("once its registry is gone, a device table serves no more host allocations", "[device]") {
    { auto registry = fake_device_registry(); }
    const idlab_host_t* host = host_services_table();
    CHECK(host->alloc(host, DLDevice{kDLCUDA, 0}, 64, 0) == nullptr);
}

TEST_CASE("a DIET run on the device gives the CPU run's numbers bit for bit", "[device]") {
    auto registry = fake_device_registry();
    const std::string path = write_recipe("diet", kDietRecipe);
    const RunSummary cpu = train(*registry, resolve(*registry, path, {}));
    reset_counters();
    const Recipe on_device = resolve(*registry, path, {"run.device=cuda"});
    CHECK(std::string(on_device.encoder.desc->summary).rfind("[fake cuda device]", 0) == 0);
    const RunSummary dev = train(*registry, on_device);
    require_same_numbers(cpu, dev);
    REQUIRE(dev.evaluations.size() == 3);
    CHECK(dev.evaluations.back().values.size() == cpu.evaluations.back().values.size());
}

TEST_CASE("on the device every buffer comes from the table, every call gets the run's stream",
          "[device]") {
    auto registry = fake_device_registry();
    const Recipe recipe = resolve(*registry, write_recipe("diet", kDietRecipe), {"run.device=cuda"});
    reset_counters();
    train(*registry, recipe);
    const fake_cuda_counters_t& c = counters();
    // Batch fields (x, z, label, index), evaluation fields, features, their gradient, the
    // evaluation features and the loss slots: nothing else, all freed at the end.
    CHECK(c.allocs == 4 + 4 + 3 + 1);
    CHECK(c.live_allocs == 0);
    CHECK(c.live_bytes == 0);
    // One stream for the run, destroyed with it, in every compute call.
    CHECK(c.streams_created == 1);
    CHECK(c.streams_destroyed == 1);
    CHECK(c.calls > 0);
    CHECK(c.calls_wrong_context == 0);
    CHECK(c.tensors_wrong_device == 0);
    CHECK(c.tensors_foreign == 0);
    CHECK(c.copies_bad_stream == 0);
    CHECK(c.copies_unknown_memory == 0);
    // Every step's loss stays on the device until an evaluation reads them.
    CHECK(c.losses_to_device == 30);
    CHECK(c.losses_to_host == 0);
}

TEST_CASE("no copy crosses to or from the device inside a training step; evaluations copy what "
          "metrics read",
          "[device]") {
    auto registry = fake_device_registry();
    const Recipe recipe = resolve(*registry, write_recipe("diet", kDietRecipe), {"run.device=cuda"});
    reset_counters();
    train(*registry, recipe);
    const fake_cuda_counters_t& c = counters();
    CHECK(c.copies_in_step == 0);
    CHECK(c.copies_d2d == 0);
    // Setting up: each of the 12 allocations is zeroed once with a copy from the CPU.
    CHECK(c.copies_h2d == 12);
    // The baseline reads x (as the features), z, the head and the cluster vectors; each of the
    // three evaluations reads the features, z, the head, the cluster vectors and the 10 losses
    // since the previous one.
    CHECK(c.copies_d2h == 4 + 3 * (4 + 1));
    CHECK(c.copies_h2h == 0);
}

TEST_CASE("InfoNCE on the device: the views are stacked on the device, same numbers as the CPU",
          "[device]") {
    auto registry = fake_device_registry();
    const std::string path = write_recipe("infonce", kInfoNceRecipe);
    const RunSummary cpu = train(*registry, resolve(*registry, path, {}));
    reset_counters();
    const RunSummary dev = train(*registry, resolve(*registry, path, {"run.device=cuda"}));
    require_same_numbers(cpu, dev);
    const fake_cuda_counters_t& c = counters();
    CHECK(c.copies_d2d == 2 * 20);  // x and x_pos into the encoder's input, every step
    CHECK(c.copies_in_step == 0);
    CHECK(c.calls_wrong_context == 0);
    CHECK(c.tensors_foreign == 0);
    CHECK(c.live_allocs == 0);
}

TEST_CASE("a loss that turns non-finite on the device is reported at the step it happened",
          "[device]") {
    auto registry = fake_device_registry();
    const std::string path = write_recipe("diet", kDietRecipe);
    // An absurd learning rate blows the weights up within a few steps.
    const std::vector<std::string> blow_up = {"optimizer.lr=1e30", "train.eval_every=30"};
    int64_t cpu_step = -1, device_step = -1;
    try {
        train(*registry, resolve(*registry, path, blow_up));
    } catch (const ComponentFailure& f) {
        cpu_step = f.step;
        CHECK(std::string(f.what()) == "the loss is not finite");
    }
    std::vector<std::string> on_device = blow_up;
    on_device.push_back("run.device=cuda");
    try {
        train(*registry, resolve(*registry, path, on_device));
    } catch (const ComponentFailure& f) {
        device_step = f.step;
        CHECK(f.stage == "loss");
        CHECK(f.code == IDLAB_STATUS_NUMERIC_ERROR);
    }
    INFO("the CPU run failed at step " << cpu_step);
    REQUIRE(cpu_step > 0);
    CHECK(device_step == cpu_step);
}

TEST_CASE("tensors on the device read and write as host bytes (what checkpoints use)", "[device]") {
    auto registry = fake_device_registry();
    DeviceRuntime device(registry->find_device("cuda").table);
    reset_counters();
    TensorBuffer buffer("w", IDLAB_DTYPE_F32, {3, 4}, device);
    CHECK(buffer.on_device());
    std::vector<float> zeros(12, -1.0f);
    device.read(buffer.view(), zeros.data());
    CHECK(zeros == std::vector<float>(12, 0.0f));  // zero-filled although device memory is not
    std::vector<float> values(12), back(12, 0.0f);
    for (size_t i = 0; i < values.size(); ++i) values[i] = 0.5f * static_cast<float>(i);
    device.write(values.data(), buffer.view());
    device.read(buffer.view(), back.data());
    CHECK(back == values);
    // A row view reads just its rows.
    std::vector<float> row(4);
    device.read(buffer.row_view(2, 1), row.data());
    CHECK(row == std::vector<float>(values.begin() + 8, values.end()));
    CHECK(counters().copies_h2d == 2);  // the zeroing and the write
    CHECK(counters().copies_d2h == 3);
    // A CPU tensor is read directly, without the table.
    TensorBuffer on_cpu("c", IDLAB_DTYPE_F32, {2});
    float two[2] = {1.0f, 2.0f};
    device.write(two, on_cpu.view());
    CHECK(on_cpu.as<float>()[1] == 2.0f);
    CHECK(counters().copies_h2d == 2);
}

TEST_CASE("a recipe for a device no plugin serves fails at check time, once, at run.device",
          "[device]") {
    Registry registry;
    for (const char* name : {"core-data", "core-encoders", "core-losses", "core-optim", "core-metrics"})
        REQUIRE(registry.load_file(fs::path(IDLAB_BUILD_PLUGIN_DIR) / ("libidlab-" + std::string(name) + ".so")));
    const std::string path = write_recipe("diet", kDietRecipe);
    std::vector<Diagnostic> diagnostics;
    const std::vector<std::string> overrides = {"run.device=cuda", "encoder.hiden=[3]"};
    CHECK_FALSE(load_recipe(path, overrides, component_source(registry), diagnostics));
    REQUIRE(diagnostics.size() == 2);  // the device, and the typo: the stages are still checked
    CHECK(diagnostics[0].message ==
          "run.device = \"cuda\" cannot be used here: no CUDA device: no loaded plugin serves the "
          "device 'cuda'");
    CHECK(diagnostics[0].where.file == "<cli:1>");
    CHECK_THAT(diagnostics[1].message, Catch::Contains("unknown parameter 'hiden'"));
}
