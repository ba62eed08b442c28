// progress.json: what idlab run leaves for --status while it trains.
#include "runtime/json_value.hpp"
#include "runtime/progress_file.hpp"

#include "sweep_test_support.hpp"

#include <unistd.h>

#include <thread>

using namespace idlab::host;
using namespace sweep_test;

namespace {
JsonValue progress_of(const fs::path& file) {
    std::string error;
    auto v = read_json_file(file.string(), error);
    INFO(error);
    REQUIRE(v);
    return *v;
}
}  // namespace

TEST_CASE("progress.json is written at once, at the first step, then every few seconds", "[sweep][progress]") {
    const fs::path file = scratch("progress-file") / "progress.json";
    ProgressFile progress(file, 1000);
    JsonValue p = progress_of(file);
    CHECK(p.string_or("state", "") == "running");
    CHECK(p.number_or("step", -1) == 0);
    CHECK(p.number_or("total", -1) == 1000);
    CHECK(p.number_or("pid", -1) == getpid());

    progress.step(201);  // a resumed run: its first step is 201
    p = progress_of(file);
    CHECK(p.number_or("step", -1) == 201);
    CHECK(p.number_or("first_step", -1) == 201);

    progress.step(202);  // within the interval: not rewritten
    CHECK(progress_of(file).number_or("step", -1) == 201);

    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    progress.finish("completed");
    p = progress_of(file);
    CHECK(p.string_or("state", "") == "completed");
    CHECK(p.number_or("step", -1) == 202);
    CHECK(p.number_or("steps_per_second", -1) > 0);
    CHECK_FALSE(fs::exists(file.string() + ".tmp"));
}
