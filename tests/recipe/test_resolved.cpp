// Recipe::to_toml: every stage and parameter written out; loading it again gives the same values.
#include "recipe_files.hpp"

#include <catch2/catch.hpp>

#include <cmath>

using namespace idlab::test;
using idlab::host::ParamValue;
using idlab::host::Recipe;
using idlab::host::StageConfig;

namespace {

// Same keys, types and values (locations differ by design).
void check_same_values(const StageConfig& a, const StageConfig& b) {
    INFO("stage " << a.stage);
    CHECK(a.stage == b.stage);
    CHECK(a.kind == b.kind);
    CHECK(a.desc == b.desc);
    REQUIRE(a.params.size() == b.params.size());
    for (size_t i = 0; i < a.params.size(); ++i) {
        const ParamValue& x = a.params[i];
        const ParamValue& y = b.params[i];
        INFO("key " << x.key);
        CHECK(x.key == y.key);
        CHECK(x.type == y.type);
        CHECK(x.bool_value == y.bool_value);
        CHECK(x.int_value == y.int_value);
        // Exact: the text must round-trip every bit (NaN compared as NaN).
        CHECK((x.float_value == y.float_value || (std::isnan(x.float_value) && std::isnan(y.float_value))));
        CHECK(x.string_value == y.string_value);
        CHECK(x.int_list == y.int_list);
        CHECK(x.float_list == y.float_list);
    }
}

void check_same_values(const Recipe& a, const Recipe& b) {
    check_same_values(a.run, b.run);
    check_same_values(a.train, b.train);
    check_same_values(a.data, b.data);
    check_same_values(a.encoder, b.encoder);
    check_same_values(a.loss, b.loss);
    check_same_values(a.optimizer, b.optimizer);
    REQUIRE(a.metrics.size() == b.metrics.size());
    for (size_t i = 0; i < a.metrics.size(); ++i) check_same_values(a.metrics[i], b.metrics[i]);
}

}  // namespace

TEST_CASE("the resolved recipe loads back to the same values", "[recipe][resolved]") {
    const auto dir = scratch_dir("resolved");
    write_file(dir / "base.toml", kPipeline);
    const std::string path = write_file(dir / "r.toml", R"(include = ["base.toml"]

[run]
name = "tricky \"name\" with \\ and ü"
seed = 9007199254740993

[data]
kappa = 0.1

[encoder]
hidden = [1, 9223372036854775807]
slope = 0.3333333333333333

[optimizer]
lr = 1e-300
betas = [0, 0.9999999999999999]

[[metrics]]
kind = "core.linear_r2"

[[metrics]]
kind = "core.head_r2"
intercept = false
)");
    // Overrides are part of what gets resolved.
    Loaded first = load(path, {"data.kappa=123456789.123", "train.steps=77"});
    INFO(first.text);
    REQUIRE(first.recipe);
    const std::string text = first.recipe->to_toml();
    INFO(text);

    CHECK(text.find("include =") == std::string::npos);
    CHECK(text.find("kappa = 123456789.123\n") != std::string::npos);
    CHECK(text.find("lr = 1e-300\n") != std::string::npos);
    // Defaults are written out, and marked as such.
    CHECK(text.find("batch_norm = true  # default\n") != std::string::npos);
    CHECK(text.find("[[metrics]]\nkind = \"core.head_r2\"\nintercept = false\n") != std::string::npos);

    const std::string again_path = write_file(dir / "resolved.toml", text);
    Loaded again = load(again_path);
    INFO(again.text);
    REQUIRE(again.recipe);
    check_same_values(*first.recipe, *again.recipe);
    // Nothing is a default any more: the resolved file states every value.
    for (const ParamValue& p : again.recipe->encoder.params) CHECK_FALSE(p.from_default);
    // Resolving the resolved recipe changes nothing but the header line and the "# default"
    // marks (its values are all written now).
    std::string unmarked = text.substr(text.find('\n'));
    for (size_t at; (at = unmarked.find("  # default")) != std::string::npos;) unmarked.erase(at, 11);
    const std::string twice = again.recipe->to_toml();
    CHECK(twice.substr(twice.find('\n')) == unmarked);
}

TEST_CASE("the resolved recipe writes stages in a fixed order, [[metrics]] last", "[recipe][resolved]") {
    const std::string path = write_file(scratch_dir("resolved-order") / "r.toml",
                                        std::string(kPipeline) + "\n[[metrics]]\nkind = \"core.linear_r2\"\n");
    Loaded l = load(path);
    REQUIRE(l.recipe);
    const std::string text = l.recipe->to_toml();
    std::vector<size_t> at;
    for (const char* header : {"\n[run]\n", "\n[train]\n", "\n[data]\n", "\n[encoder]\n", "\n[loss]\n",
                               "\n[optimizer]\n", "\n[[metrics]]\n"})
        at.push_back(text.find(header));
    for (size_t i = 0; i < at.size(); ++i) CHECK(at[i] != std::string::npos);
    CHECK(std::is_sorted(at.begin(), at.end()));
    CHECK(text.rfind("# Resolved by idlab", 0) == 0);
}

TEST_CASE("a [sweep] table is checked against the parameter specs and survives resolution",
          "[recipe][resolved][sweep]") {
    const std::string path = write_file(scratch_dir("resolved-sweep") / "r.toml",
                                        std::string(kPipeline) +
                                            "\n[sweep]\ndata.kappa = [5, 10.5]\ntrain.batch_size = [256, 1024]\n");
    Loaded l = load(path);
    REQUIRE(l.recipe);
    REQUIRE(l.recipe->sweep.size() == 2);
    CHECK(l.recipe->sweep[0].key == "data.kappa");
    REQUIRE(l.recipe->sweep[0].values.size() == 2);
    CHECK(l.recipe->sweep[0].values[0].float_value == 5.0);  // an integer, converted like any float
    CHECK(l.recipe->sweep[0].values[1].float_value == 10.5);
    CHECK(l.recipe->sweep[1].key == "train.batch_size");
    CHECK(l.recipe->sweep[1].values[1].int_value == 1024);

    const std::string text = l.recipe->to_toml();
    CHECK_THAT(text, Catch::Contains("\n[sweep]\ndata.kappa = [5.0, 10.5]\ntrain.batch_size = [256, 1024]\n"));
    const std::string again_path = write_file(scratch_dir("resolved-sweep") / "again.toml", text);
    Loaded again = load(again_path);
    REQUIRE(again.recipe);
    REQUIRE(again.recipe->sweep.size() == 2);
    CHECK(again.recipe->sweep[0].values[1].float_value == 10.5);
    const std::string again_text = again.recipe->to_toml();
    CHECK(again_text.substr(again_text.find("\n[sweep]")) == text.substr(text.find("\n[sweep]")));
}
