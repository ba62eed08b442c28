// include = [...]: fragments relative to the including file, merged in order, the including
// file on top; nested includes; values keep the location of the file that set them.
#include "recipe_files.hpp"

#include <catch2/catch.hpp>

using namespace idlab::test;

TEST_CASE("includes merge fragments in order, with the including file on top", "[recipe][include]") {
    const auto dir = scratch_dir("includes");
    write_file(dir / "base" / "pipeline.toml", kPipeline);
    // A nested include, relative to the fragment's own folder.
    write_file(dir / "base" / "training.toml", R"(include = ["pipeline.toml"]

[train]
steps = 500
batch_size = 64

[[metrics]]
kind = "core.linear_r2"
)");
    write_file(dir / "base" / "faster.toml", "[train]\nsteps = 50\n");
    const std::string recipe = write_file(dir / "paper" / "recipe.toml", R"(
include = ["../base/training.toml", "../base/faster.toml"]

[train]
batch_size = 128

[data]
kappa = 5.0

[[metrics]]
kind = "core.head_r2"
)");
    Loaded l = load(recipe);
    INFO(l.text);
    REQUIRE(l.recipe);
    const idlab::host::Recipe& r = *l.recipe;

    // Later fragments win over earlier ones, the recipe over both.
    CHECK(r.train.find("steps")->int_value == 50);
    CHECK(r.train.find("batch_size")->int_value == 128);
    // Tables merge key by key: kind and latent_dim from the nested fragment, kappa from the recipe.
    CHECK(r.data.kind == "core.vmf_clusters");
    CHECK(r.data.find("latent_dim")->int_value == 5);
    CHECK(r.data.find("kappa")->float_value == 5.0);
    // Arrays, [[metrics]] included, are replaced, not appended.
    REQUIRE(r.metrics.size() == 1);
    CHECK(r.metrics[0].kind == "core.head_r2");

    // Values point at the file that set them, as the user would open it.
    const std::string pipeline = (dir / "base" / "pipeline.toml").string();
    CHECK(r.data.find("latent_dim")->where.file == pipeline);
    CHECK(r.data.find("latent_dim")->where.line == 3);
    CHECK(r.data.find("kappa")->where.file == recipe);
    CHECK(r.train.find("steps")->where.file == (dir / "base" / "faster.toml").string());
    // A table's location is where it was last written.
    CHECK(r.data.where.file == recipe);
    CHECK(r.encoder.where.file == pipeline);
}

TEST_CASE("the same fragment reached twice is not a cycle", "[recipe][include]") {
    const auto dir = scratch_dir("diamond");
    write_file(dir / "pipeline.toml", kPipeline);
    write_file(dir / "a.toml", "include = [\"pipeline.toml\"]\n[train]\nsteps = 7\n");
    write_file(dir / "b.toml", "include = [\"pipeline.toml\"]\n[train]\nbatch_size = 8\n");
    Loaded l = load(write_file(dir / "r.toml", "include = [\"a.toml\", \"b.toml\"]\n"));
    INFO(l.text);
    REQUIRE(l.recipe);
    CHECK(l.recipe->train.find("steps")->int_value == 7);
    CHECK(l.recipe->train.find("batch_size")->int_value == 8);
}

TEST_CASE("a file that includes itself is a cycle at its include entry", "[recipe][include]") {
    const auto dir = scratch_dir("self-include");
    const std::string path = write_file(dir / "r.toml", std::string("include = [\"r.toml\"]\n") + kPipeline);
    Loaded l = load(path);
    REQUIRE(l.diagnostics.size() == 1);
    CHECK(l.diagnostics[0].message == "include cycle: '" + path + "' -> '" + path + "'");
    CHECK(l.diagnostics[0].where.line == 1);
    CHECK(l.diagnostics[0].where.col == 12);
}

TEST_CASE("include is only special at the top of a file", "[recipe][include]") {
    const auto dir = scratch_dir("include-in-table");
    Loaded l = load(write_file(dir / "r.toml", std::string(kPipeline) + "include = [\"x.toml\"]\n"));
    REQUIRE(l.diagnostics.size() == 1);
    CHECK(l.diagnostics[0].message == "unknown parameter 'include' for 'core.adam'");
}
