// sweep.json: written before anything runs, read back by reruns, --status and report.
#include "sweep/manifest.hpp"

#include "sweep_test_support.hpp"

using namespace idlab::host;
using namespace sweep_test;

namespace {
SweepPlan grid(int64_t seeds, std::vector<std::string> kappas = {"5.0", "50.0"}) {
    std::vector<Axis> axes = {{"data.kappa", kappas, false}, {"encoder.hidden", {"[64, 64]", "[8]"}, true}};
    return plan_sweep("grid \"one\"", "recipes/x.toml", {"train.steps=300"}, axes, 0, seeds, 300);
}
}  // namespace

TEST_CASE("a manifest reads back as the plan it was written from", "[sweep][manifest]") {
    const fs::path dir = scratch("manifest-roundtrip");
    const SweepPlan plan = grid(2);
    write_manifest(dir, plan);
    CHECK(is_sweep_folder(dir));
    std::string error;
    auto back = read_manifest(dir, error);
    INFO(error);
    REQUIRE(back);
    CHECK(back->name == plan.name);
    CHECK(back->recipe == plan.recipe);
    CHECK(back->fixed == plan.fixed);
    CHECK(back->seeds == plan.seeds);
    REQUIRE(back->axes.size() == 2);
    CHECK(back->axes[1].values == plan.axes[1].values);
    REQUIRE(back->jobs.size() == plan.jobs.size());
    for (size_t i = 0; i < plan.jobs.size(); ++i) {
        CHECK(back->jobs[i].dir == plan.jobs[i].dir);
        CHECK(back->jobs[i].overrides == plan.jobs[i].overrides);
        CHECK(back->jobs[i].values == plan.jobs[i].values);
        CHECK(back->jobs[i].seed == plan.jobs[i].seed);
        CHECK(back->jobs[i].steps == plan.jobs[i].steps);
    }
}

TEST_CASE("a broken or foreign manifest is refused with the file's name", "[sweep][manifest]") {
    const fs::path dir = scratch("manifest-bad");
    std::string error;
    write(dir / kManifestFile, "{\"format\": \"something/else\"}");
    CHECK_FALSE(read_manifest(dir, error));
    CHECK_THAT(error, Catch::Contains("sweep.json") && Catch::Contains("not an idlab sweep manifest"));
    write(dir / kManifestFile, "{\"format\": \"idlab.sweep/1\", \"fixed\": [], \"axes\": [], \"seeds\": [0],"
                               " \"jobs\": [{\"dir\": \"../x\", \"values\": {}, \"overrides\": []}]}");
    CHECK_FALSE(read_manifest(dir, error));
    CHECK_THAT(error, Catch::Contains("leaves the sweep folder"));
    write(dir / kManifestFile, "{\"format\": ");
    CHECK_FALSE(read_manifest(dir, error));
    CHECK_THAT(error, Catch::Contains("line 1"));
}

TEST_CASE("a rerun may add jobs but not drop or change planned ones", "[sweep][manifest]") {
    const SweepPlan before = grid(2);
    std::string error;
    CHECK(extend_plan(before, grid(2), error));
    auto more = extend_plan(before, grid(3), error);
    REQUIRE(more);
    CHECK(more->jobs.size() == 12);
    CHECK(extend_plan(before, grid(2, {"5.0", "50.0", "100.0"}), error));
    CHECK_FALSE(extend_plan(before, grid(1), error));
    CHECK_THAT(error, Catch::Contains("seed1") && Catch::Contains("not in the new plan"));
    SweepPlan changed = grid(2);
    changed.jobs[0].overrides.push_back("train.lr=1");
    CHECK_FALSE(extend_plan(before, changed, error));
    CHECK_THAT(error, Catch::Contains("change its overrides"));
}

TEST_CASE("base recipes compare by content, not comments", "[sweep][manifest]") {
    std::string diff;
    CHECK(same_base_recipe("# from a.toml\n[run]\nseed = 0\n", "# from b.toml\n\n[run]\nseed = 0\n", diff));
    CHECK_FALSE(same_base_recipe("[run]\nseed = 0\n", "[run]\nseed = 1\n", diff));
    CHECK(diff == "was: seed = 0\nnow: seed = 1");
    CHECK_FALSE(same_base_recipe("[run]\n", "[run]\nseed = 1\n", diff));
    CHECK_THAT(diff, Catch::Contains("(end of recipe)"));
}
