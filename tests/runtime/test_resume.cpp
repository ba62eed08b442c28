// Resuming a Trainer in process: for pipelines whose components hold state (batch norm, Adam,
// SGD momentum, a learnable temperature), a run interrupted after a checkpoint and resumed in a
// new Trainer ends with exactly the evaluations of an uninterrupted run. Also keep_best,
// early stopping, the protocol keys' errors, and every kind of mismatch a resume refuses.
#include "cli/session.hpp"
#include "plugin/registry.hpp"
#include "recipe/recipe.hpp"
#include "runtime/checkpoint_file.hpp"
#include "runtime/checkpointer.hpp"
#include "runtime/interrupt.hpp"
#include "runtime/progress.hpp"
#include "runtime/recipe_fingerprint.hpp"
#include "runtime/trainer.hpp"

#include <catch2/catch.hpp>
#include <spdlog/spdlog.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <unistd.h>

namespace fs = std::filesystem;
using namespace idlab::host;

namespace {

fs::path work_dir(const std::string& name) {
    fs::path d = fs::path(RUNTIME_WORK_DIR) / name;
    fs::remove_all(d);
    fs::create_directories(d);
    return d;
}

const Registry& registry() {
    static const std::unique_ptr<Registry> r = [] {
        spdlog::set_level(spdlog::level::warn);
        auto reg = std::make_unique<Registry>();
        reg->load_directories({IDLAB_BUILD_PLUGIN_DIR, RUNTIME_FIXTURE_DIR});
        return reg;
    }();
    return *r;
}

Recipe load(const std::string& file, const std::vector<std::string>& overrides = {}) {
    std::vector<Diagnostic> diagnostics;
    auto recipe = load_recipe(file, overrides, component_source(registry()), diagnostics);
    for (const Diagnostic& d : diagnostics) INFO(format_diagnostic(d, overrides));
    REQUIRE(recipe);
    return std::move(*recipe);
}

// A recipe file from TOML text, in a folder of this process (ctest runs test cases in
// parallel processes, which must not rewrite each other's files).
std::string recipe_file(const std::string& name, const std::string& text) {
    const fs::path p = fs::path(RUNTIME_WORK_DIR) / ("recipes-" + std::to_string(getpid())) / (name + ".toml");
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
    return p.string();
}

const char* kTrain =
    "[train]\nsteps = 120\nbatch_size = 32\neval_every = 25\neval_samples = 256\ncheckpoint_every = 9\n";

// Batch-norm MLP, Adam, the paper's loss.
std::string mlp_adam() {
    return recipe_file("mlp-adam",
                       std::string("[run]\nseed = 3\nthreads = 1\n"
                                   "[data]\nkind = \"core.vmf_clusters\"\nlatent_dim = 3\nclusters = 8\nsamples = 64\n"
                                   "mixing_layers = 2\nmixing_trials = 20\n"
                                   "[encoder]\nkind = \"core.mlp\"\nhidden = [16, 16]\n"
                                   "[loss]\nkind = \"core.cross_entropy\"\ntarget = \"label\"\n"
                                   "[optimizer]\nkind = \"core.adam\"\nlr = 3e-3\n") +
                           kTrain + "[[metrics]]\nkind = \"core.linear_r2\"\n");
}

// Batch-norm CNN on 1 x 4 x 4 "images", SGD with momentum, a learnable temperature.
std::string cnn_sgd() {
    return recipe_file("cnn-sgd",
                       std::string("[run]\nseed = 4\nthreads = 1\n"
                                   "[data]\nkind = \"core.vmf_clusters\"\nlatent_dim = 16\nclusters = 32\n"
                                   "samples = 128\nmixing_layers = 1\nmixing_trials = 5\n"
                                   "[encoder]\nkind = \"core.cnn\"\nchannels = 1\nheight = 4\nwidth = 4\n"
                                   "widths = [4, 8]\nblocks = [1, 1]\nout_dim = 6\n"
                                   "[loss]\nkind = \"core.cross_entropy\"\ntarget = \"label\"\nlearn_temperature = true\n"
                                   "[optimizer]\nkind = \"core.sgd\"\nlr = 0.05\nmomentum = 0.9\n") +
                           kTrain + "[[metrics]]\nkind = \"core.linear_r2\"\n");
}

// Contrastive pairs, an MLP without batch norm, InfoNCE, SGD without momentum.
std::string infonce_sgd() {
    return recipe_file("infonce-sgd",
                       std::string("[run]\nseed = 5\nthreads = 1\n"
                                   "[data]\nkind = \"core.contrastive_pairs\"\nlatent_dim = 3\nmixing_layers = 2\n"
                                   "[encoder]\nkind = \"core.mlp\"\nhidden = [16]\nbatch_norm = false\n"
                                   "[loss]\nkind = \"core.infonce\"\n"
                                   "[optimizer]\nkind = \"core.sgd\"\nlr = 0.05\n") +
                           kTrain + "[[metrics]]\nkind = \"core.linear_r2\"\n");
}

RunSummary train(Trainer& trainer, const Recipe& recipe, std::vector<Evaluation>* seen = nullptr) {
    Progress progress(recipe.train.find("steps")->int_value, false, trainer.first_step());
    return trainer.run(progress, [&](const Evaluation& e) {
        if (seen) seen->push_back(e);
    });
}

// What the training loop sees when its process dies: nothing more, not even a return.
struct Killed {};

// How a run in `dir` is stopped at its evaluation at step `at`.
enum class Stop { sigint, kill };

// Runs the recipe into `dir` and stops it at its evaluation at step `at`: like SIGINT (it stops
// at the next step boundary, evaluates and checkpoints) or like SIGKILL (it dies on the spot,
// and only its last periodic checkpoint is left). Returns what the run reported (after SIGINT).
RunSummary run_stopped(const Recipe& recipe, const fs::path& dir, int64_t at, Stop how) {
    Trainer trainer(recipe, registry().host_services());
    trainer.set_checkpoint_files(dir / "checkpoint.ckpt", dir / "best.ckpt");
    clear_interrupt();
    install_interrupt_handler();
    Progress progress(recipe.train.find("steps")->int_value, false);
    RunSummary r;
    try {
        r = trainer.run(progress, [&](const Evaluation& e) {
            if (e.step != at) return;
            if (how == Stop::kill) throw Killed{};
            std::raise(SIGINT);
        });
    } catch (const Killed&) {
    }
    clear_interrupt();
    return r;
}

void check_same_evaluations(const std::vector<Evaluation>& a, const std::vector<Evaluation>& b) {
    REQUIRE(a.size() == b.size());
    for (size_t i = 0; i < a.size(); ++i) {
        INFO("evaluation " << i << " at step " << b[i].step);
        CHECK(a[i].step == b[i].step);
        CHECK(a[i].train_loss == b[i].train_loss);  // bit for bit
        CHECK(a[i].values == b[i].values);
    }
}

}  // namespace

TEST_CASE("a resumed trainer ends with exactly the numbers of an uninterrupted one", "[runtime][resume]") {
    const std::string file = GENERATE(mlp_adam(), cnn_sgd(), infonce_sgd());
    INFO(file);
    const Recipe recipe = load(file);
    const fs::path dir = work_dir("resume-" + fs::path(file).stem().string());

    Trainer uninterrupted(recipe, registry().host_services());
    const RunSummary expected = train(uninterrupted, recipe);
    REQUIRE(expected.evaluations.size() == 5);  // steps 25, 50, 75, 100, 120

    SECTION("killed at step 50: its last checkpoint, at step 45, is between two evaluations") {
        run_stopped(recipe, dir, 50, Stop::kill);
        const LoadedCheckpoint checkpoint = read_checkpoint(dir / "checkpoint.ckpt");
        const TrainingState& saved = checkpoint.contents.state;
        CHECK(saved.step == 45);  // checkpoint_every = 9
        CHECK_FALSE(saved.finished);
        CHECK(saved.evaluations.size() == 1);
        CHECK(saved.loss_count == 20);  // steps 26 to 45, in the loss of the evaluation at 50
        CHECK(saved.eval_index == 2);
        CHECK(saved.baseline == expected.baseline);

        // A new Trainer starts from freshly initialised components: only the checkpoint can
        // make it continue where the first one stopped.
        Trainer resumed(recipe, registry().host_services());
        resumed.set_checkpoint_files(dir / "checkpoint.ckpt", dir / "best.ckpt");
        resumed.resume(checkpoint);
        CHECK(resumed.first_step() == 45);
        std::vector<Evaluation> new_lines;
        const RunSummary result = train(resumed, recipe, &new_lines);
        check_same_evaluations(result.evaluations, expected.evaluations);
        CHECK(new_lines.size() == 4);
        CHECK(result.steps == 120);
        CHECK_FALSE(result.interrupted);
        CHECK(result.baseline == expected.baseline);
        const TrainingState final_state = read_checkpoint(dir / "checkpoint.ckpt").contents.state;
        CHECK(final_state.finished);
        CHECK(final_state.step == 120);
    }
    SECTION("interrupted (SIGINT) at step 50: it stops there and checkpoints") {
        const RunSummary stopped = run_stopped(recipe, dir, 50, Stop::sigint);
        CHECK(stopped.interrupted);
        CHECK(stopped.steps == 50);
        const LoadedCheckpoint checkpoint = read_checkpoint(dir / "checkpoint.ckpt");
        CHECK(checkpoint.contents.state.step == 50);
        CHECK(checkpoint.contents.state.loss_count == 0);
        Trainer resumed(recipe, registry().host_services());
        resumed.resume(checkpoint);
        check_same_evaluations(train(resumed, recipe).evaluations, expected.evaluations);
    }
}

TEST_CASE("re-resolving a run's recipe.resolved.toml gives the same canonical recipe", "[runtime][resume]") {
    const Recipe recipe = load(mlp_adam(), {"train.steps=99", "encoder.hidden=[8]"});
    const std::string resolved = recipe_file("resolved-again", recipe.to_toml());
    CHECK(canonical_recipe(load(resolved)) == canonical_recipe(recipe));
    CHECK(canonical_recipe(recipe).find("#") == std::string::npos);
}

TEST_CASE("keep_best saves best.ckpt at every improvement and reports the best evaluation", "[runtime][protocol]") {
    const fs::path dir = work_dir("keep-best");
    const Recipe recipe = load(mlp_adam(), {"train.keep_best=linear_r2"});
    Trainer trainer(recipe, registry().host_services());
    trainer.set_checkpoint_files(dir / "checkpoint.ckpt", dir / "best.ckpt");
    const RunSummary r = train(trainer, recipe);
    REQUIRE(r.best);
    size_t argmax = 0;
    for (size_t i = 1; i < r.evaluations.size(); ++i)
        if (r.evaluations[i].values[0].second > r.evaluations[argmax].values[0].second) argmax = i;
    CHECK(r.best->step == r.evaluations[argmax].step);
    CHECK(r.best->values == r.evaluations[argmax].values);
    const LoadedCheckpoint best = read_checkpoint(dir / "best.ckpt");
    CHECK(best.contents.state.step == r.best->step);
    CHECK(best.contents.state.best == static_cast<int64_t>(argmax));
    CHECK(best.contents.state.evaluations.size() == argmax + 1);
}

TEST_CASE("stop_metric stops after the first evaluation above stop_above", "[runtime][protocol]") {
    const Recipe full = load(mlp_adam());
    Trainer reference(full, registry().host_services());
    const RunSummary all = train(reference, full);
    // A threshold between the best of the first two evaluations and a later, higher one.
    const double first_two = std::max(all.evaluations[0].values[0].second, all.evaluations[1].values[0].second);
    size_t stop = 2;
    while (stop < all.evaluations.size() && !(all.evaluations[stop].values[0].second > first_two)) ++stop;
    REQUIRE(stop < all.evaluations.size() - 1);  // the recipe must improve before its end
    char threshold[64];
    std::snprintf(threshold, sizeof(threshold), "train.stop_above=%.17g", first_two);

    const Recipe recipe = load(mlp_adam(), {"train.stop_metric=linear_r2", threshold});
    const fs::path dir = work_dir("stop-early");
    Trainer trainer(recipe, registry().host_services());
    trainer.set_checkpoint_files(dir / "checkpoint.ckpt", dir / "best.ckpt");
    const RunSummary r = train(trainer, recipe);
    CHECK(r.stopped_early);
    CHECK_FALSE(r.interrupted);
    CHECK(r.steps == all.evaluations[stop].step);
    check_same_evaluations(r.evaluations,
                           std::vector<Evaluation>(all.evaluations.begin(), all.evaluations.begin() + stop + 1));
    const TrainingState saved = read_checkpoint(dir / "checkpoint.ckpt").contents.state;
    CHECK(saved.finished);
    CHECK(saved.stopped_early);
    CHECK(saved.step == r.steps);
}

TEST_CASE("the protocol keys name metric values and come in pairs", "[runtime][protocol]") {
    auto error_of = [](const std::vector<std::string>& overrides) {
        const Recipe recipe = load(mlp_adam(), overrides);
        try {
            Trainer trainer(recipe, registry().host_services());
        } catch (const WiringError& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    CHECK(error_of({"train.keep_best=linear_r3"}) ==
          "'train.keep_best' names 'linear_r3', which is not a value of this recipe's metrics (they are: linear_r2)");
    CHECK(error_of({"train.stop_metric=accuracy", "train.stop_above=0.5"}) ==
          "'train.stop_metric' names 'accuracy', which is not a value of this recipe's metrics (they are: linear_r2)");
    CHECK(error_of({"train.stop_metric=linear_r2"}) ==
          "'train.stop_metric' = \"linear_r2\" needs a finite 'train.stop_above', the value to exceed");
    CHECK(error_of({"train.stop_above=0.9"}) ==
          "'train.stop_above' has no effect without 'train.stop_metric', the metric value it applies to");
}

TEST_CASE("a checkpoint of another pipeline is refused with every difference", "[runtime][mismatch]") {
    const fs::path dir = work_dir("mismatch");
    const Recipe recipe = load(mlp_adam());
    run_stopped(recipe, dir, 50, Stop::kill);
    LoadedCheckpoint checkpoint = read_checkpoint(dir / "checkpoint.ckpt");
    auto differences = [&](const Recipe& r, const LoadedCheckpoint& c) {
        Trainer trainer(r, registry().host_services());
        try {
            trainer.resume(c);
        } catch (const CheckpointMismatch& m) {
            CHECK(m.file == c.file);
            return m.differences;
        }
        return std::vector<std::string>{};
    };
    SECTION("the recipe changed") {
        CHECK(differences(load(mlp_adam(), {"train.steps=300", "optimizer.lr=1e-3"}), checkpoint) ==
              std::vector<std::string>{"[train] steps: 120 in the checkpoint, 300 now",
                                       "[optimizer] lr: 0.003 in the checkpoint, 0.001 now"});
    }
    SECTION("a component's version changed") {
        checkpoint.contents.stages[1].version = "0.9.0";
        CHECK(differences(recipe, checkpoint) ==
              std::vector<std::string>{"stage 1 is encoder 'core.mlp' 0.9.0 in the checkpoint, encoder 'core.mlp' 1.0.0 now"});
    }
    SECTION("a tensor's shape, dtype or name changed, or one is missing") {
        std::vector<CheckpointTensor>& encoder = checkpoint.contents.stages[1].tensors;
        REQUIRE(encoder[0].name == "layer0.weight");
        encoder[0].shape = {15, 3};
        for (CheckpointTensor& t : encoder)
            if (t.name == "bn0.running_mean") t.dtype = IDLAB_DTYPE_F64;
        std::vector<CheckpointTensor>& adam = checkpoint.contents.stages[3].tensors;
        adam.back().name = "steps";
        adam.pop_back();
        CHECK(differences(recipe, checkpoint) ==
              std::vector<std::string>{
                  "encoder 'core.mlp': parameter 'layer0.weight' is f32 [15, 3] in the checkpoint, f32 [16, 3] now",
                  "encoder 'core.mlp': state tensor 'bn0.running_mean' is f64 [16] in the checkpoint, f32 [16] now",
                  "optimizer 'core.adam': state tensor 'step' i64 [1] is not in the checkpoint"});
    }
}

TEST_CASE("a stage without idlab.state/1 (an ABI 1.1 plugin) makes its checkpoints unresumable", "[runtime][mismatch]") {
    const fs::path dir = work_dir("legacy");
    const Recipe recipe = load(mlp_adam(), {"optimizer.kind=fixture.legacy_sgd", "optimizer.lr=0.01"});
    run_stopped(recipe, dir, 50, Stop::kill);
    const LoadedCheckpoint checkpoint = read_checkpoint(dir / "checkpoint.ckpt");
    CHECK_FALSE(checkpoint.contents.stages[3].has_state);
    CHECK(checkpoint.contents.stages[0].has_state);  // data: the glue of 1.2 answers, with nothing
    Trainer trainer(recipe, registry().host_services());
    try {
        trainer.resume(checkpoint);
        FAIL("resumed a checkpoint that cannot hold the optimizer's momentum");
    } catch (const CheckpointMismatch& m) {
        CHECK(m.differences ==
              std::vector<std::string>{
                  "optimizer 'fixture.legacy_sgd' does not expose idlab.state/1 (its plugin predates ABI 1.2), so "
                  "the checkpoint holds its parameters but not its hidden state; a resumed run could not give the "
                  "numbers of an uninterrupted one (rebuild the plugin against SDK 1.2 and expose its state with "
                  "add_state())"});
    }
}
