// Command-line overrides: "stage.key=value", the value parsed as TOML or taken as a bare string.
#include "recipe_files.hpp"

#include <catch2/catch.hpp>

using namespace idlab::test;

namespace {

std::string pipeline_recipe(const std::string& name) {
    return write_file(scratch_dir(name) / "r.toml", std::string(kPipeline) + "\n[train]\nsteps = 100\n");
}

}  // namespace

TEST_CASE("override values are TOML values, other text is a bare string", "[recipe][override]") {
    Loaded l = load(pipeline_recipe("override-values"),
                    {"data.kappa=50", "encoder.hidden=[64, 64]", "loss.target=index", "run.name=\"quoted run\"",
                     "encoder.batch_norm=false", "train.steps=7", "train.steps=9", "encoder.kind=core.mlp"});
    INFO(l.text);
    REQUIRE(l.recipe);
    const idlab::host::Recipe& r = *l.recipe;
    CHECK(r.data.find("kappa")->float_value == 50.0);
    CHECK(r.encoder.find("hidden")->int_list == std::vector<int64_t>{64, 64});
    CHECK(r.loss.find("target")->string_value == "index");
    CHECK(r.run.find("name")->string_value == "quoted run");
    CHECK_FALSE(r.encoder.find("batch_norm")->bool_value);
    // The last override of a key wins.
    CHECK(r.train.find("steps")->int_value == 9);
    CHECK(r.encoder.kind == "core.mlp");

    // An override's value is located in its own text: <cli:N>, column of the value.
    const idlab::host::ParamValue* kappa = r.data.find("kappa");
    CHECK(kappa->where.file == "<cli:1>");
    CHECK(kappa->where.line == 1);
    CHECK(kappa->where.col == 12);
    CHECK_FALSE(kappa->from_default);
    CHECK(r.train.find("steps")->where.file == "<cli:7>");
}

TEST_CASE("an override may add a table the recipe does not have", "[recipe][override]") {
    const std::string path = write_file(scratch_dir("override-new-table") / "r.toml", kPipeline);
    Loaded l = load(path, {"train.eval_every=10"});
    INFO(l.text);
    REQUIRE(l.recipe);
    CHECK(l.recipe->train.find("eval_every")->int_value == 10);
    CHECK(l.recipe->train.find("steps")->from_default);
}

TEST_CASE("an override can switch a component", "[recipe][override]") {
    Loaded l = load(pipeline_recipe("override-kind"), {"loss.kind=core.cross_entropy", "data.kind=core.nope"});
    CHECK_FALSE(l.recipe);
    REQUIRE(l.diagnostics.size() == 1);
    CHECK(l.diagnostics[0].message == "unknown data kind 'core.nope'");
    CHECK(l.diagnostics[0].where.file == "<cli:2>");
    CHECK(l.diagnostics[0].where.col == 11);
}

TEST_CASE("a wrong override value is reported at the element it concerns", "[recipe][override]") {
    const std::vector<std::string> overrides = {"train.steps=10", "encoder.hidden=[64,-1]"};
    Loaded l = load(pipeline_recipe("override-element"), overrides);
    REQUIRE(l.diagnostics.size() == 1);
    CHECK(l.text ==
          "<cli:2>:1:20: error: 'encoder.hidden[1]' must be >= 1, got -1\n"
          " 1 | encoder.hidden=[64,-1]\n"
          "   |                    ^\n"
          "note: expected a list of integers, each >= 1\n");
}

TEST_CASE("a bare word for a float is a type error at <cli:N>", "[recipe][override]") {
    const std::vector<std::string> overrides = {"train.steps=10", "data.kappa=abc"};
    Loaded l = load(pipeline_recipe("override-bare-word"), overrides);
    REQUIRE(l.diagnostics.size() == 1);
    CHECK(l.text ==
          "<cli:2>:1:12: error: 'data.kappa' expects a float, got string \"abc\"\n"
          " 1 | data.kappa=abc\n"
          "   |            ^\n"
          "note: expected a float > 0\n");
}
