// The JSON reader behind the manifest, summary.json, progress.json and metrics.jsonl.
#include "runtime/json.hpp"
#include "runtime/json_value.hpp"

#include <catch2/catch.hpp>

using namespace idlab::host;

TEST_CASE("json: objects keep their members in order, with every value type", "[sweep][json]") {
    std::string error;
    auto v = parse_json(R"( {"b": 1, "a": [true, false, null], "s": "x\"y\\z\n\u00e9\ud83d\ude00", "o": {}} )", error);
    REQUIRE(v);
    REQUIRE(v->is_object());
    REQUIRE(v->members.size() == 4);
    CHECK(v->members[0].first == "b");
    CHECK(v->members[1].first == "a");
    CHECK(v->number_or("b", 0) == 1);
    const JsonValue* a = v->find("a");
    REQUIRE(a);
    REQUIRE(a->items.size() == 3);
    CHECK(a->items[0].type == JsonValue::Type::Bool);
    CHECK(a->items[0].boolean);
    CHECK(a->items[2].type == JsonValue::Type::Null);
    CHECK(v->string_or("s", "") == "x\"y\\z\n\xc3\xa9\xf0\x9f\x98\x80");
    CHECK(v->find("o")->is_object());
    CHECK(v->find("missing") == nullptr);
    CHECK(v->string_or("b", "fallback") == "fallback");  // mistyped: the fallback
}

TEST_CASE("json: numbers written by idlab read back to the same bits", "[sweep][json]") {
    for (double x : {0.1, 1.0 / 3.0, -2.5e-300, 6.02214076e23, 0.9999999999999999, 123456789.0}) {
        JsonObject o;
        o.add("x", x);
        std::string error;
        auto v = parse_json(o.str(), error);
        REQUIRE(v);
        CHECK(v->number_or("x", 0) == x);
    }
}

TEST_CASE("json: malformed text names the line and column", "[sweep][json]") {
    std::string error;
    CHECK_FALSE(parse_json("{\"a\": 1,\n \"b\" 2}", error));
    CHECK_THAT(error, Catch::StartsWith("line 2, column 6"));
    CHECK_FALSE(parse_json("[1, 2", error));
    CHECK_THAT(error, Catch::Contains("expected ',' or ']'"));
    CHECK_FALSE(parse_json("{\"a\": 1} x", error));
    CHECK_THAT(error, Catch::Contains("unexpected text"));
    CHECK_FALSE(parse_json("\"abc", error));
    CHECK_THAT(error, Catch::Contains("unterminated"));
    CHECK_FALSE(parse_json("-", error));
    CHECK_FALSE(parse_json("", error));
    CHECK_FALSE(parse_json(std::string(500, '['), error));
    CHECK_THAT(error, Catch::Contains("nested too deeply"));
}
