// The registry's verdict on each fixture plugin: what loads, what is refused, and the exact
// message a user reads for every refusal.
#include "plugin/descriptor_checks.hpp"
#include "plugin/registry.hpp"
#include "support/config_builder.hpp"

#include <catch2/catch.hpp>

#include <string>

using idlab::host::Lookup;
using idlab::host::Registry;

namespace {

std::string abi(uint32_t major, uint32_t minor) {
    return std::to_string(major) + "." + std::to_string(minor);
}

const std::string kHostAbi = abi(IDLAB_ABI_VERSION_MAJOR, IDLAB_ABI_VERSION_MINOR);

// Loads one file into a fresh registry, expects it to be refused, and returns the message.
std::string refusal_of(const std::string& file) {
    Registry registry;
    CHECK_FALSE(registry.load_file(file));
    CHECK(registry.plugins().empty());
    CHECK(registry.components().empty());
    REQUIRE(registry.problems().size() == 1);
    CHECK(registry.problems()[0].file == file);
    return registry.problems()[0].message;
}

}  // namespace

TEST_CASE("a file that is not a library is refused with the loader's reason", "[registry]") {
    const std::string file = PLFIX_NOT_A_LIBRARY;
    // glibc's dlerror() text, without the path it repeats.
    CHECK(refusal_of(file) == "cannot load plugin '" + file + "': invalid ELF header");
}

TEST_CASE("a library without the entry point is refused", "[registry]") {
    const std::string file = PLFIX_NO_ENTRY;
    CHECK(refusal_of(file) == "no entry point 'idlab_plugin_entry' in '" + file + "'");
}

TEST_CASE("another ABI major is refused naming both versions", "[registry]") {
    const std::string file = PLFIX_WRONG_MAJOR;
    CHECK(refusal_of(file) == "incompatible plugin '" + file + "': built for idlab ABI " +
                                  abi(IDLAB_ABI_VERSION_MAJOR + 1, IDLAB_ABI_VERSION_MINOR) +
                                  ", this host has ABI " + kHostAbi +
                                  "; rebuild the plugin against this SDK");
}

TEST_CASE("a plugin built for a newer minor is refused", "[registry]") {
    const std::string file = PLFIX_NEWER_MINOR;
    CHECK(refusal_of(file) == "incompatible plugin '" + file + "': built for idlab ABI " +
                                  abi(IDLAB_ABI_VERSION_MAJOR, IDLAB_ABI_VERSION_MINOR + 1) +
                                  ", newer than this host's ABI " + kHostAbi +
                                  "; update idlab or rebuild the plugin against this SDK");
}

TEST_CASE("a plugin built for an older minor of the same major loads", "[registry]") {
    Registry registry;
    CHECK(registry.load_file(PLFIX_OLDER_MINOR));
    CHECK(registry.problems().empty());
    REQUIRE(registry.plugins().size() == 1);
    CHECK(registry.plugins()[0]->entry->abi_version.minor == 0);
    CHECK(registry.find("fixture.older").component != nullptr);
}

TEST_CASE("an entry function returning NULL is refused", "[registry]") {
    const std::string file = PLFIX_NULL_ENTRY;
    CHECK(refusal_of(file) == "plugin '" + file + "': idlab_plugin_entry() returned NULL");
}

TEST_CASE("a component of an unknown kind is refused", "[registry]") {
    const std::string file = PLFIX_BAD_KIND;
    CHECK(refusal_of(file) == "plugin '" + file +
                                  "' declares an invalid component: component 'fixture.c' has "
                                  "unknown kind 42");
}

TEST_CASE("a failing init is refused with the plugin's message", "[registry]") {
    const std::string file = PLFIX_FAILING_INIT;
    CHECK(refusal_of(file) == "plugin '" + file + "' failed to initialise: fixture says no");
}

TEST_CASE("a refused plugin's components cannot be found", "[registry]") {
    Registry registry;
    CHECK_FALSE(registry.load_file(PLFIX_FAILING_INIT));
    Lookup found = registry.find("fixture.c");
    CHECK(found.component == nullptr);
    CHECK(found.error == "unknown component 'fixture.c'");
}

TEST_CASE("a good plugin loads and lists its components", "[registry]") {
    const std::string file = PLFIX_GOOD;
    Registry registry;
    REQUIRE(registry.load_file(file));
    CHECK(registry.problems().empty());
    REQUIRE(registry.plugins().size() == 1);
    const idlab::host::Plugin& plugin = *registry.plugins()[0];
    CHECK(plugin.file == file);
    CHECK(plugin.available);
    CHECK(std::string(plugin.entry->id) == "test.fixture.good");
    CHECK(std::string(plugin.entry->version) == "0.9.1");

    REQUIRE(registry.components().size() == 1);
    const idlab::host::ComponentRef& component = registry.components()[0];
    CHECK(std::string(component.desc->id) == "fixture.good");
    CHECK(component.desc->kind == IDLAB_KIND_METRIC);
    CHECK(component.plugin == &plugin);
    CHECK(registry.components_of_kind(IDLAB_KIND_METRIC).size() == 1);
    CHECK(registry.components_of_kind(IDLAB_KIND_DATA).empty());

    Lookup found = registry.find("fixture.good");
    CHECK(found.component == &component);
    CHECK(found.error.empty());
    Lookup missing = registry.find("fixture.nope");
    CHECK(missing.component == nullptr);
    CHECK(missing.error == "unknown component 'fixture.nope'");
}

TEST_CASE("a loaded component makes working instances", "[registry]") {
    Registry registry;
    REQUIRE(registry.load_file(PLFIX_GOOD));
    const idlab_component_desc_t& desc = *registry.find("fixture.good").component->desc;

    idlab::test::ConfigBuilder config;
    config.set_float("scale", 2.5).set_int("repeats", 1).set_string("mode", "mean")
        .set_int_list("widths", {1, 2});
    idlab_create_ctx_t ctx{};
    ctx.struct_size = sizeof ctx;
    ctx.host = registry.host_services();
    ctx.device = DLDevice{kDLCPU, 0};
    ctx.stage = "metrics";
    char message[256] = {0};
    char key[64] = {0};
    idlab_error_t err{sizeof err, IDLAB_STATUS_OK, message, sizeof message, key, sizeof key};
    idlab_instance_t* instance = nullptr;
    REQUIRE(desc.create(&ctx, config.get(), &instance, &err) == IDLAB_STATUS_OK);
    REQUIRE(instance != nullptr);

    auto metric = static_cast<const idlab_metric_i*>(
        instance->get_interface(instance, IDLAB_IFACE_METRIC));
    REQUIRE(metric != nullptr);
    CHECK(instance->get_interface(instance, IDLAB_IFACE_ENCODER) == nullptr);
    CHECK(std::string(metric->value_name(instance, 0)) == "constant");
    idlab_exec_ctx_t exec{};
    exec.struct_size = sizeof exec;
    exec.device = ctx.device;
    exec.host = ctx.host;
    idlab_tensor_set_t no_inputs{0, nullptr};
    double value = 0;
    CHECK(metric->evaluate(instance, &exec, &no_inputs, &value, &err) == IDLAB_STATUS_OK);
    CHECK(value == 2.5);
    instance->destroy(instance);
}

TEST_CASE("the same id from two files is refused naming both files", "[registry]") {
    const std::string good = PLFIX_GOOD;
    const std::string duplicate = PLFIX_DUPLICATE;
    Registry registry;
    REQUIRE(registry.load_file(good));
    // The second plugin loads (its other components, if any, would be usable) ...
    CHECK(registry.load_file(duplicate));
    CHECK(registry.plugins().size() == 2);
    // ... but its copy of the id is not registered, and the clash is reported.
    REQUIRE(registry.components().size() == 1);
    CHECK(registry.components()[0].plugin->file == good);
    const std::string clash =
        "component 'fixture.good' is provided by both '" + good + "' and '" + duplicate + "'";
    REQUIRE(registry.problems().size() == 1);
    CHECK(registry.problems()[0].file == duplicate);
    CHECK(registry.problems()[0].message == clash);
    // Picking either copy silently would make runs depend on load order.
    Lookup found = registry.find("fixture.good");
    CHECK(found.component == nullptr);
    CHECK(found.error == clash);
}

TEST_CASE("the same file loaded twice counts once", "[registry]") {
    Registry registry;
    CHECK(registry.load_file(PLFIX_GOOD));
    CHECK(registry.load_file(std::string(PLFIX_ROOT) + "/good/../good/" +
                             std::filesystem::path(PLFIX_GOOD).filename().string()));
    CHECK(registry.plugins().size() == 1);
    CHECK(registry.components().size() == 1);
    CHECK(registry.problems().empty());
}

TEST_CASE("an unavailable plugin is listed with its reason", "[registry]") {
    const std::string file = PLFIX_NO_CUDA;
    Registry registry;
    CHECK(registry.load_file(file));
    CHECK(registry.problems().empty());
    REQUIRE(registry.plugins().size() == 1);
    CHECK_FALSE(registry.plugins()[0]->available);
    CHECK(registry.plugins()[0]->unavailable_reason == "no CUDA device");
    // Its components stay listed, so `idlab plugins` can show them ...
    REQUIRE(registry.components().size() == 1);
    CHECK(std::string(registry.components()[0].desc->id) == "fixture.cuda");
    // ... and a lookup explains why they cannot be used.
    Lookup on_cuda = registry.find("fixture.cuda", IDLAB_DEVICE_CUDA);
    CHECK(on_cuda.component == nullptr);
    CHECK(on_cuda.error == "component 'fixture.cuda' is unavailable: no CUDA device");
    Lookup on_cpu = registry.find("fixture.cuda", IDLAB_DEVICE_CPU);
    CHECK(on_cpu.component == nullptr);
    CHECK(on_cpu.error == "component 'fixture.cuda' does not run on cpu");
}

TEST_CASE("a plugin's device table serves the run.device it names", "[registry][devices]") {
    Registry registry;
    REQUIRE(registry.load_file(PLFIX_DEVICE));
    CHECK(registry.problems().empty());
    REQUIRE(registry.devices().size() == 1);
    const idlab_device_i* table = registry.devices()[0].table;
    CHECK(std::string(table->name) == "cuda");
    CHECK(registry.devices()[0].plugin == registry.plugins()[0].get());
    const idlab::host::DeviceLookup cuda = registry.find_device("cuda");
    CHECK(cuda.table == table);
    CHECK(cuda.error.empty());
    // The CPU is the host's own; an unknown name is explained.
    CHECK(registry.find_device("cpu").table == nullptr);
    CHECK(registry.find_device("cpu").error.empty());
    CHECK(registry.find_device("tpu").error == "no 'tpu' device: no loaded plugin serves the device 'tpu'");
}

TEST_CASE("a second plugin serving the same device is not used for it", "[registry][devices]") {
    Registry registry;
    REQUIRE(registry.load_file(PLFIX_DEVICE));
    REQUIRE(registry.load_file(PLFIX_DEVICE_AGAIN));
    REQUIRE(registry.devices().size() == 1);
    CHECK(registry.devices()[0].plugin->file == PLFIX_DEVICE);
    REQUIRE(registry.problems().size() == 1);
    CHECK(registry.problems()[0].message == std::string("device 'cuda' is served by both '") + PLFIX_DEVICE +
                                                "' and '" + PLFIX_DEVICE_AGAIN + "'; using the first");
    // Its components are still there.
    CHECK(registry.find("fixture.device_again", IDLAB_DEVICE_CUDA).component != nullptr);
}

TEST_CASE("a device table without a copy function refuses its plugin", "[registry][devices]") {
    const std::string file = PLFIX_BAD_DEVICE;
    CHECK(refusal_of(file) == "plugin '" + file + "' declares an invalid device: device table 'cuda' has no copy function");
}

TEST_CASE("an unavailable plugin's device is missing, with the plugin's reason", "[registry][devices]") {
    const std::string file = PLFIX_NO_CUDA_DEVICE;
    Registry registry;
    REQUIRE(registry.load_file(file));
    CHECK(registry.devices().empty());  // the table of a plugin that cannot run is not read
    CHECK(registry.find_device("cuda").error ==
          "no CUDA device: plugin 'test.fixture.c' (" + file + ") is unavailable: no CUDA device");
    // Its components' declarations remain, for checking a recipe's keys.
    CHECK(registry.find_declared("fixture.no_cuda_device", IDLAB_DEVICE_CUDA) != nullptr);
    CHECK(registry.find_declared("fixture.no_cuda_device", IDLAB_DEVICE_CPU) == nullptr);
}

TEST_CASE("descriptor checks name the faulty field", "[registry][descriptor]") {
    using idlab::host::check_components;
    using idlab::host::check_entry;

    idlab_param_spec_t param{sizeof(idlab_param_spec_t), "level", IDLAB_PARAM_INT, "3", 0, 0, 0,
                             nullptr, "doc"};
    auto create = [](const idlab_create_ctx_t*, const idlab_config_t*, idlab_instance_t**,
                     idlab_error_t*) -> idlab_status_t { return IDLAB_STATUS_UNSUPPORTED; };
    idlab_component_desc_t component{sizeof(idlab_component_desc_t), IDLAB_KIND_DATA, "x.data",
                                     "1", "summary", nullptr, IDLAB_DEVICE_CPU, 1, &param, create};
    const idlab_component_desc_t* list[] = {&component};
    idlab_plugin_entry_t entry{};
    entry.struct_size = sizeof entry;
    entry.abi_version = idlab_version_t IDLAB_ABI_VERSION_INIT;
    entry.id = "x";
    entry.component_count = 1;
    entry.components = list;

    CHECK(check_entry(entry).empty());
    CHECK(check_components(entry).empty());

    SECTION("entry") {
        entry.id = "";
        CHECK(check_entry(entry) == "it has no plugin id");
        entry.struct_size = 40;
        CHECK_THAT(check_entry(entry),
                   Catch::StartsWith("struct_size 40 is smaller than an ABI 1.0 entry ("));
    }
    SECTION("component list") {
        entry.components = nullptr;
        CHECK(check_components(entry) == "declares 1 components but no list");
        list[0] = nullptr;
        entry.components = list;
        CHECK(check_components(entry) == "component #0 is NULL");
    }
    SECTION("component fields") {
        component.struct_size = 16;
        CHECK(check_components(entry) == "component #0 has struct_size 16, too small");
        component.struct_size = sizeof component;
        component.id = nullptr;
        CHECK(check_components(entry) == "component #0 has no id");
        component.id = "x.data";
        component.create = nullptr;
        CHECK(check_components(entry) == "component 'x.data' has no create function");
        component.create = create;
        component.devices = 1u << 7;
        CHECK(check_components(entry) == "component 'x.data' declares no known device");
        component.devices = IDLAB_DEVICE_CPU;
        component.params = nullptr;
        CHECK(check_components(entry) == "component 'x.data' declares 1 parameters but no list");
    }
    SECTION("parameter specs") {
        param.type = 99;
        CHECK(check_components(entry) == "component 'x.data': parameter 'level' has unknown type 99");
        param.type = IDLAB_PARAM_INT;
        param.name = "";
        CHECK(check_components(entry) == "component 'x.data': parameter #0 has no name");
        param.struct_size = 8;
        CHECK(check_components(entry) == "component 'x.data': parameter #0 has struct_size 8, too small");
    }
}
