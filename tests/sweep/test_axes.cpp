// Command-line axes, and how they combine with the recipe's [sweep] table.
#include "sweep/axes.hpp"

#include <catch2/catch.hpp>

using namespace idlab::host;

namespace {
std::vector<std::string> split(const std::string& text) {
    std::string error;
    auto v = split_axis_values(text, error);
    INFO(error);
    REQUIRE(v);
    return *v;
}

SweepAxis recipe_axis(const std::string& key, std::vector<int64_t> values) {
    SweepAxis a;
    a.key = key;
    for (int64_t x : values) {
        ParamValue p;
        p.type = IDLAB_PARAM_INT;
        p.int_value = x;
        a.values.push_back(p);
    }
    return a;
}
}  // namespace

TEST_CASE("axis values split at commas outside brackets and quotes", "[sweep][axes]") {
    CHECK(split("5,10,50") == std::vector<std::string>{"5", "10", "50"});
    CHECK(split("[64,64]") == std::vector<std::string>{"[64,64]"});
    CHECK(split("[64,64],[128]") == std::vector<std::string>{"[64,64]", "[128]"});
    CHECK(split("[[1,2],[3]],4") == std::vector<std::string>{"[[1,2],[3]]", "4"});
    CHECK(split("\"a,b\",c") == std::vector<std::string>{"\"a,b\"", "c"});
    CHECK(split("'x,\"y',z") == std::vector<std::string>{"'x,\"y'", "z"});
    CHECK(split("\"q\\\",r\"") == std::vector<std::string>{"\"q\\\",r\""});
    std::string error;
    CHECK_FALSE(split_axis_values("5,,10", error));
    CHECK_THAT(error, Catch::Contains("value 2"));
    CHECK_FALSE(split_axis_values("5,", error));
    CHECK_FALSE(split_axis_values("", error));
}

TEST_CASE("one value is a fixed override, several are an axis", "[sweep][axes]") {
    std::string error;
    auto cl = parse_command_line_axes({"train.steps=300", "data.kappa=5,50", "encoder.hidden=[64,64]"}, error);
    REQUIRE(cl);
    CHECK(cl->fixed == std::vector<std::string>{"train.steps=300", "encoder.hidden=[64,64]"});
    REQUIRE(cl->axes.size() == 1);
    CHECK(cl->axes[0].key == "data.kappa");
    CHECK(cl->axes[0].values == std::vector<std::string>{"5", "50"});
    CHECK(cl->axes[0].from_command_line);

    CHECK_FALSE(parse_command_line_axes({"data.kappa=5,50", "data.kappa=1,2"}, error));
    CHECK_THAT(error, Catch::Contains("given twice"));
    CHECK_FALSE(parse_command_line_axes({"=5"}, error));
    CHECK_FALSE(parse_command_line_axes({"data.kappa=5,,6"}, error));
}

TEST_CASE("command-line axes replace, extend and pin the recipe's", "[sweep][axes]") {
    std::vector<SweepAxis> recipe = {recipe_axis("train.batch_size", {256, 1024}), recipe_axis("data.clusters", {10, 100})};
    std::string error;
    SECTION("a new key is appended, a known key replaced in place") {
        auto cl = parse_command_line_axes({"data.kappa=5,50", "train.batch_size=64,128,512"}, error);
        REQUIRE(cl);
        auto axes = combine_axes(recipe, *cl, error);
        REQUIRE(axes);
        REQUIRE(axes->size() == 3);
        CHECK((*axes)[0].key == "train.batch_size");
        CHECK((*axes)[0].values == std::vector<std::string>{"64", "128", "512"});
        CHECK((*axes)[1].key == "data.clusters");
        CHECK((*axes)[1].values == std::vector<std::string>{"10", "100"});
        CHECK_FALSE((*axes)[1].from_command_line);
        CHECK((*axes)[2].key == "data.kappa");
    }
    SECTION("a fixed override of a swept key removes that axis") {
        auto cl = parse_command_line_axes({"data.clusters=30"}, error);
        REQUIRE(cl);
        auto axes = combine_axes(recipe, *cl, error);
        REQUIRE(axes);
        REQUIRE(axes->size() == 1);
        CHECK((*axes)[0].key == "train.batch_size");
    }
    SECTION("run.seed is not an axis") {
        auto cl = parse_command_line_axes({"run.seed=0,1"}, error);
        REQUIRE(cl);
        CHECK_FALSE(combine_axes(recipe, *cl, error));
        CHECK_THAT(error, Catch::Contains("--seeds"));
    }
    SECTION("a value listed twice is an error") {
        auto cl = parse_command_line_axes({"data.kappa=5,5"}, error);
        REQUIRE(cl);
        CHECK_FALSE(combine_axes(recipe, *cl, error));
        CHECK_THAT(error, Catch::Contains("twice"));
    }
}
