// load_recipe on valid recipes: typed values, defaults, locations, device, stage names.
#include "recipe_files.hpp"

#include <catch2/catch.hpp>

using namespace idlab::test;
using idlab::host::ParamValue;
using idlab::host::StageConfig;

namespace {

std::vector<std::string> keys_of(const StageConfig& stage) {
    std::vector<std::string> keys;
    for (const ParamValue& p : stage.params) keys.push_back(p.key);
    return keys;
}

const idlab_component_desc_t* fake(const std::string& id) {
    for (const idlab_component_desc_t* d : fake_components())
        if (id == d->id) return d;
    return nullptr;
}

}  // namespace

TEST_CASE("a recipe resolves to typed stages with every default filled in", "[recipe]") {
    const std::string path = write_file(scratch_dir("basic") / "basic.toml", R"([run]
name = "basic"
seed = 3

[data]
kind = "core.vmf_clusters"
latent_dim = 5
kappa = 20

[encoder]
kind = "core.mlp"
hidden = [64, 32]

[loss]
kind = "core.cross_entropy"
target = "index"

[optimizer]
kind = "core.adam"

[[metrics]]
kind = "core.linear_r2"

[[metrics]]
kind = "core.head_r2"
intercept = false
)");
    Loaded l = load(path);
    INFO(l.text);
    REQUIRE(l.recipe);
    CHECK(l.diagnostics.empty());
    const idlab::host::Recipe& r = *l.recipe;
    CHECK(r.path == path);

    SECTION("the host's own tables: no kind, no descriptor, defaults from host_params") {
        CHECK(r.run.stage == "run");
        CHECK(r.run.kind.empty());
        CHECK(r.run.desc == nullptr);
        CHECK(keys_of(r.run) == std::vector<std::string>{"name", "seed", "device", "threads"});
        CHECK(r.run.find("name")->string_value == "basic");
        CHECK(r.run.find("seed")->int_value == 3);
        CHECK_FALSE(r.run.find("seed")->from_default);
        CHECK(r.run.find("device")->string_value == "cpu");
        CHECK(r.run.find("device")->from_default);
        // [train] is absent: every value is a default, located in the recipe without a line.
        CHECK(r.train.find("steps")->int_value == 1000);
        CHECK(r.train.find("steps")->from_default);
        CHECK(r.train.find("steps")->where.file == path);
        CHECK(r.train.find("steps")->where.line == 0);
    }
    SECTION("component stages: kind, descriptor, parameters in spec order") {
        CHECK(r.data.stage == "data");
        CHECK(r.data.kind == "core.vmf_clusters");
        CHECK(r.data.desc == fake("core.vmf_clusters"));
        CHECK(keys_of(r.data) == std::vector<std::string>{"latent_dim", "clusters", "kappa", "distribution"});
        CHECK(r.data.find("latent_dim")->type == IDLAB_PARAM_INT);
        CHECK(r.data.find("clusters")->int_value == 100);
        CHECK(r.data.find("distribution")->string_value == "vmf");
        CHECK(r.encoder.find("hidden")->type == IDLAB_PARAM_INT_LIST);
        CHECK(r.encoder.find("hidden")->int_list == std::vector<int64_t>{64, 32});
        CHECK(r.encoder.find("batch_norm")->bool_value);
        CHECK(r.loss.find("target")->string_value == "index");
        CHECK(r.optimizer.find("lr")->float_value == 1e-3);
        CHECK(r.optimizer.find("betas")->float_list == std::vector<double>{0.9, 0.999});
    }
    SECTION("a float parameter accepts an integer") {
        const ParamValue* kappa = r.data.find("kappa");
        CHECK(kappa->type == IDLAB_PARAM_FLOAT);
        CHECK(kappa->float_value == 20.0);
    }
    SECTION("locations: values where written, defaults and stages at the table header") {
        const ParamValue* kappa = r.data.find("kappa");
        CHECK(kappa->where.file == path);
        CHECK(kappa->where.line == 8);
        CHECK(kappa->where.col == 9);
        CHECK(r.data.where.line == 5);
        CHECK(r.data.where.col == 1);
        const ParamValue* clusters = r.data.find("clusters");
        CHECK(clusters->from_default);
        CHECK(clusters->where.line == 5);
    }
    SECTION("[[metrics]] become metrics[0], metrics[1] in order") {
        REQUIRE(r.metrics.size() == 2);
        CHECK(r.metrics[0].stage == "metrics[0]");
        CHECK(r.metrics[0].kind == "core.linear_r2");
        CHECK(r.metrics[0].find("intercept")->bool_value);
        CHECK(r.metrics[1].stage == "metrics[1]");
        CHECK(r.metrics[1].desc == fake("core.head_r2"));
        CHECK_FALSE(r.metrics[1].find("intercept")->bool_value);
        CHECK(r.metrics[1].where.line == 24);
    }
    SECTION("find returns null for a key the component does not declare") {
        CHECK(r.data.find("kapa") == nullptr);
        CHECK(r.data.find("kind") == nullptr);
    }
}

TEST_CASE("run.device is the device components are looked up for", "[recipe]") {
    const auto dir = scratch_dir("device");
    FakeSource fake;
    std::vector<idlab::host::Diagnostic> diagnostics;

    const std::string cpu = write_file(dir / "cpu.toml", kPipeline);
    REQUIRE(idlab::host::load_recipe(cpu, {}, fake.source, diagnostics));
    CHECK(fake.last_device == "cpu");

    const std::string cuda = write_file(dir / "cuda.toml", std::string("[run]\ndevice = \"cuda\"\n") + kPipeline);
    REQUIRE(idlab::host::load_recipe(cuda, {}, fake.source, diagnostics));
    CHECK(fake.last_device == "cuda");

    // An override of the device counts too.
    REQUIRE(idlab::host::load_recipe(cpu, {"run.device=cuda"}, fake.source, diagnostics));
    CHECK(fake.last_device == "cuda");
}

TEST_CASE("every semantic error of a recipe is reported in one pass, in file order", "[recipe]") {
    const std::string path = write_file(scratch_dir("one-pass") / "r.toml", R"([data]
kind = "core.vmf_clusters"
latent_dim = 1
kapa = 3.0

[encoder]
kind = "core.mlp"
hidden = [0]

[loss]
kind = "core.cross_entropy"
target = 5

[optimizer]
kind = "core.adam"
lr = 0
)");
    Loaded l = load(path);
    INFO(l.text);
    CHECK_FALSE(l.recipe);
    REQUIRE(l.diagnostics.size() == 5);
    std::vector<int> lines;
    for (const auto& d : l.diagnostics) lines.push_back(d.where.line);
    CHECK(lines == std::vector<int>{3, 4, 8, 12, 16});
    CHECK(l.diagnostics[0].message == "'data.latent_dim' must be >= 2, got 1");
    CHECK(l.diagnostics[1].message == "unknown parameter 'kapa' for 'core.vmf_clusters'");
    CHECK(l.diagnostics[2].message == "'encoder.hidden[0]' must be >= 1, got 0");
    CHECK(l.diagnostics[3].message == "'loss.target' expects a string, got integer 5");
    CHECK(l.diagnostics[4].message == "'optimizer.lr' must be > 0, got 0");
}

TEST_CASE("an integer parameter does not accept a float, not even a whole one", "[recipe]") {
    const std::string path = write_file(scratch_dir("int-float") / "r.toml",
                                        std::string(kPipeline) + "[train]\nsteps = 100.0\n");
    Loaded l = load(path);
    REQUIRE(l.diagnostics.size() == 1);
    CHECK(l.diagnostics[0].message == "'train.steps' expects an integer, got float 100.0");
}

TEST_CASE("a recipe that cannot be read is one diagnostic naming the file", "[recipe]") {
    const auto dir = scratch_dir("unreadable");
    Loaded missing = load((dir / "nope.toml").string());
    CHECK_FALSE(missing.recipe);
    REQUIRE(missing.diagnostics.size() == 1);
    CHECK(missing.text == (dir / "nope.toml").string() + ": error: cannot read the recipe: no such file\n");
    Loaded directory = load(dir.string());
    REQUIRE(directory.diagnostics.size() == 1);
    CHECK(directory.diagnostics[0].message == "cannot read the recipe: it is a directory");
}
