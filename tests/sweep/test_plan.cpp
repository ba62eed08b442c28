// The cartesian product, its order, seeds and the job folders' names.
#include "sweep/job_folder.hpp"
#include "sweep/plan.hpp"

#include <catch2/catch.hpp>

#include <set>

using namespace idlab::host;

TEST_CASE("the plan is the product of the axes times the seeds, first axis outermost", "[sweep][plan]") {
    std::vector<Axis> axes = {{"train.batch_size", {"256", "1024"}, false}, {"data.kappa", {"5.0", "10.0", "50.0"}, true}};
    SweepPlan plan = plan_sweep("grid", "r.toml", {"train.steps=300"}, axes, 3, 2, 300);
    REQUIRE(plan.jobs.size() == 2 * 3 * 2);
    CHECK(plan.seeds == std::vector<int64_t>{3, 4});
    CHECK(plan.jobs[0].dir == "train.batch_size=256/data.kappa=5.0/seed3");
    CHECK(plan.jobs[1].dir == "train.batch_size=256/data.kappa=5.0/seed4");
    CHECK(plan.jobs[2].dir == "train.batch_size=256/data.kappa=10.0/seed3");
    CHECK(plan.jobs[11].dir == "train.batch_size=1024/data.kappa=50.0/seed4");
    CHECK(plan.jobs[11].overrides ==
          std::vector<std::string>{"train.batch_size=1024", "data.kappa=50.0", "run.seed=4"});
    CHECK(plan.jobs[11].configuration() == "train.batch_size=1024/data.kappa=50.0");
    CHECK(plan.jobs[11].seed == 4);
    CHECK(plan.jobs[11].steps == 300);
    REQUIRE(plan.jobs[11].values.size() == 2);
    CHECK(plan.jobs[11].values[1] == std::make_pair(std::string("data.kappa"), std::string("50.0")));
    std::set<std::string> dirs;
    for (const SweepJob& j : plan.jobs) dirs.insert(j.dir);
    CHECK(dirs.size() == plan.jobs.size());
    CHECK(plan.find("train.batch_size=256/data.kappa=10.0/seed4") == &plan.jobs[3]);
    CHECK(plan.find("nope") == nullptr);
}

TEST_CASE("a recipe without axes gives one job per seed", "[sweep][plan]") {
    SweepPlan plan = plan_sweep("plain", "r.toml", {}, {}, 0, 3, 100);
    REQUIRE(plan.jobs.size() == 3);
    CHECK(plan.jobs[0].dir == "seed0");
    CHECK(plan.jobs[2].dir == "seed2");
    CHECK(plan.jobs[2].overrides == std::vector<std::string>{"run.seed=2"});
    CHECK(plan.jobs[2].configuration().empty());
}

TEST_CASE("job folders are readable and safe in a shell", "[sweep][plan]") {
    CHECK(folder_value("50") == "50");
    CHECK(folder_value("1e-3") == "1e-3");
    CHECK(folder_value("[64, 64]") == "64x64");
    CHECK(folder_value("[0.5,1.0]") == "0.5x1.0");
    CHECK(folder_value("[]") == "empty");
    CHECK(folder_value("\"truncated_laplace\"") == "truncated_laplace");
    CHECK(folder_value("'a b/c'") == "a_b_c");
    CHECK(folder_value("\"..\"") == "_..");
    CHECK(folder_value("\"\"") == "empty");
    CHECK(folder_value("true") == "true");
    CHECK(folder_component("encoder.hidden", "[64,64]") == "encoder.hidden=64x64");
}

TEST_CASE("values that name the same folder are told apart", "[sweep][plan]") {
    std::vector<Axis> axes = {{"data.path", {"\"a b\"", "\"a_b\"", "\"a/b\""}, true}};
    SweepPlan plan = plan_sweep("p", "r.toml", {}, axes, 0, 1, 10);
    REQUIRE(plan.jobs.size() == 3);
    CHECK(plan.jobs[0].dir == "data.path=a_b/seed0");
    CHECK(plan.jobs[1].dir == "data.path=a_b~2/seed0");
    CHECK(plan.jobs[2].dir == "data.path=a_b~3/seed0");
}
