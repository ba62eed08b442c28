// How a checkpoint's recipe and the recipe of the run that wants to resume it are compared:
// key by key, each difference named with its table.
#include "runtime/recipe_fingerprint.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace idlab::host;

namespace {
const std::string kBase =
    "[run]\nname = \"a\"\nseed = 0\n\n[train]\nsteps = 1000\nbatch_size = 256\n\n[encoder]\nkind = \"core.mlp\"\n"
    "\n[[metrics]]\nkind = \"core.linear_r2\"\n\n[[metrics]]\nkind = \"core.mcc\"\n";
}

TEST_CASE("equal recipes have no differences", "[runtime][recipe-fingerprint]") {
    CHECK(recipe_differences(kBase, kBase).empty());
}

TEST_CASE("every changed, new and missing key is named with its table", "[runtime][recipe-fingerprint]") {
    std::string now = kBase;
    now.replace(now.find("steps = 1000"), 12, "steps = 4000");
    now.replace(now.find("seed = 0\n"), 9, "");
    now.replace(now.find("kind = \"core.mcc\""), 17, "kind = \"core.accuracy\"");
    now += "\n[sweep]\ndata.kappa = [5.0, 10.0]\n";
    CHECK(recipe_differences(kBase, now) ==
          std::vector<std::string>{"[run] seed = 0 is only in the checkpoint's recipe",
                                   "[train] steps: 1000 in the checkpoint, 4000 now",
                                   "[[metrics]] #2 kind: \"core.mcc\" in the checkpoint, \"core.accuracy\" now",
                                   "[sweep] data.kappa = [5.0, 10.0] is new (not in the checkpoint's recipe)"});
}

TEST_CASE("the same keys in another order still differ", "[runtime][recipe-fingerprint]") {
    const std::string a = "[train]\nsteps = 1\nbatch_size = 2\n";
    const std::string b = "[train]\nbatch_size = 2\nsteps = 1\n";
    CHECK(recipe_differences(a, b) == std::vector<std::string>{"the same keys and values, in another order"});
}
