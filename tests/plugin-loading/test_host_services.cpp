// The services table handed to plugins: logging routed into spdlog under the component's name,
// and memory per device.
#include "plugin/host_services.hpp"
#include "plugin/registry.hpp"
#include "support/config_builder.hpp"

#include <catch2/catch.hpp>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <cstring>
#include <memory>
#include <sstream>
#include <string>

using idlab::host::host_services_table;
using idlab::host::Registry;

namespace {

// Sends everything spdlog's default logger receives into a string, as "<level>|<text>" lines,
// for one scope.
class LogCapture {
public:
    LogCapture() : previous_(spdlog::default_logger()) {
        auto sink = std::make_shared<spdlog::sinks::ostream_sink_st>(stream_);
        auto logger = std::make_shared<spdlog::logger>("capture", sink);
        logger->set_pattern("%l|%v");
        logger->set_level(spdlog::level::trace);
        spdlog::set_default_logger(logger);
    }
    ~LogCapture() { spdlog::set_default_logger(previous_); }
    LogCapture(const LogCapture&) = delete;
    LogCapture& operator=(const LogCapture&) = delete;

    std::string text() const { return stream_.str(); }

private:
    std::shared_ptr<spdlog::logger> previous_;
    std::ostringstream stream_;
};

const DLDevice kCpu{kDLCPU, 0};

bool aligned_to(const void* p, uint64_t alignment) {
    return reinterpret_cast<uintptr_t>(p) % alignment == 0;
}

}  // namespace

TEST_CASE("the services table declares its size and the host's ABI", "[host-services]") {
    const idlab_host_t* host = host_services_table();
    REQUIRE(host != nullptr);
    CHECK(host->struct_size == sizeof(idlab_host_t));
    CHECK(host->abi_version.major == IDLAB_ABI_VERSION_MAJOR);
    CHECK(host->abi_version.minor == IDLAB_ABI_VERSION_MINOR);
    CHECK(host->log != nullptr);
    CHECK(host->alloc != nullptr);
    CHECK(host->free != nullptr);
    Registry registry;
    CHECK(registry.host_services() == host);
}

TEST_CASE("plugin log lines reach spdlog under the component's name", "[host-services]") {
    const idlab_host_t* host = host_services_table();
    LogCapture capture;
    host->log(host, IDLAB_LOG_DEBUG, "org.example.a", "debug line");
    host->log(host, IDLAB_LOG_INFO, "org.example.a", "info line");
    host->log(host, IDLAB_LOG_WARN, "org.example.b", "warn line");
    host->log(host, IDLAB_LOG_ERROR, nullptr, "error without a component");
    host->log(host, IDLAB_LOG_INFO, "", "info with an empty component");
    // Out-of-range levels are clamped, not dropped; a NULL message logs an empty line.
    host->log(host, -5, "x", "below debug");
    host->log(host, 17, "x", "above error");
    host->log(host, IDLAB_LOG_INFO, "x", nullptr);
    CHECK(capture.text() ==
          "debug|org.example.a: debug line\n"
          "info|org.example.a: info line\n"
          "warning|org.example.b: warn line\n"
          "error|error without a component\n"
          "info|info with an empty component\n"
          "debug|x: below debug\n"
          "error|x: above error\n"
          "info|x: \n");
}

TEST_CASE("a plugin's init and deinit log through the host", "[host-services]") {
    LogCapture capture;
    {
        Registry registry;
        REQUIRE(registry.load_file(PLFIX_LIFECYCLE));
        CHECK(capture.text() == "info|fixture.lifecycle: init\n");
    }
    // deinit runs when the registry goes, after every instance is gone.
    CHECK(capture.text() == "info|fixture.lifecycle: init\ninfo|deinit fixture.lifecycle\n");
}

TEST_CASE("the C++ glue logs through the services it got at init", "[host-services]") {
    LogCapture capture;
    Registry registry;
    REQUIRE(registry.load_file(PLFIX_GOOD));
    const idlab_component_desc_t& desc = *registry.find("fixture.good").component->desc;
    idlab::test::ConfigBuilder config;
    config.set_float("scale", 0.5).set_int("repeats", 2).set_string("mode", "sum")
        .set_int_list("widths", {3});
    idlab_create_ctx_t ctx{};
    ctx.struct_size = sizeof ctx;
    ctx.host = registry.host_services();
    ctx.device = kCpu;
    ctx.stage = "metrics";
    idlab_instance_t* instance = nullptr;
    REQUIRE(desc.create(&ctx, config.get(), &instance, nullptr) == IDLAB_STATUS_OK);
    instance->destroy(instance);
    CHECK(capture.text() == "warning|fixture.good: created with scale 0.500000\n");
}

TEST_CASE("CPU allocations honour the requested alignment", "[host-services]") {
    const idlab_host_t* host = host_services_table();
    for (uint64_t alignment : {1u, 2u, 8u, 16u, 64u, 256u, 4096u}) {
        INFO("alignment " << alignment);
        void* p = host->alloc(host, kCpu, 1000, alignment);
        REQUIRE(p != nullptr);
        CHECK(aligned_to(p, alignment));
        std::memset(p, 0xab, 1000);  // the whole block is usable
        host->free(host, kCpu, p);
    }
}

TEST_CASE("alignment 0 means the default alignment", "[host-services]") {
    const idlab_host_t* host = host_services_table();
    for (int i = 0; i < 8; ++i) {
        void* p = host->alloc(host, kCpu, 24 + 8 * i, 0);
        REQUIRE(p != nullptr);
        CHECK(aligned_to(p, idlab::host::kDefaultAlignment));
        host->free(host, kCpu, p);
    }
}

TEST_CASE("a zero-byte allocation is distinct and freeable", "[host-services]") {
    const idlab_host_t* host = host_services_table();
    void* a = host->alloc(host, kCpu, 0, 16);
    void* b = host->alloc(host, kCpu, 0, 16);
    REQUIRE(a != nullptr);
    REQUIRE(b != nullptr);
    CHECK(a != b);
    host->free(host, kCpu, a);
    host->free(host, kCpu, b);
}

TEST_CASE("impossible allocations return NULL", "[host-services]") {
    const idlab_host_t* host = host_services_table();
    SECTION("alignment not a power of two") {
        CHECK(host->alloc(host, kCpu, 64, 3) == nullptr);
        CHECK(host->alloc(host, kCpu, 64, 48) == nullptr);
    }
    SECTION("more memory than exists") {
        CHECK(host->alloc(host, kCpu, uint64_t(1) << 62, 64) == nullptr);
    }
    SECTION("a device the host does not serve") {
        CHECK(host->alloc(host, DLDevice{kDLCUDA, 0}, 64, 64) == nullptr);
        CHECK(host->alloc(host, DLDevice{kDLCUDAHost, 0}, 64, 64) == nullptr);
        CHECK(host->alloc(host, DLDevice{kDLROCM, 0}, 64, 64) == nullptr);
    }
}
