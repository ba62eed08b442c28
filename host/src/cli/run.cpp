// `idlab run RECIPE [key=value ...] [--out DIR]`: train and evaluate, writing the run folder.
// `idlab run --resume DIR`: go on with the run in DIR from its checkpoint.
#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "cli/session.hpp"
#include "runtime/checkpoint_file.hpp"
#include "runtime/checkpointer.hpp"
#include "runtime/interrupt.hpp"
#include "runtime/json.hpp"
#include "runtime/logging.hpp"
#include "runtime/progress.hpp"
#include "runtime/progress_file.hpp"
#include "runtime/recipe_fingerprint.hpp"
#include "runtime/run_directory.hpp"
#include "runtime/trainer.hpp"

#include <cblas.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <fstream>
#include <optional>
#include <sstream>
#include <unistd.h>

namespace idlab::host {

namespace {

namespace fs = std::filesystem;

const char* kRunHelp =
    "usage: idlab run RECIPE [key=value ...] [--out DIR] [--plugin-path DIR] [--log-level L]\n"
    "       idlab run --resume DIR [--plugin-path DIR] [--log-level L]\n"
    "\n"
    "Trains and evaluates the pipeline a recipe describes. Overrides are TOML values\n"
    "(data.kappa=50, encoder.hidden=[64,64], loss.target=index) and win over the file.\n"
    "\n"
    "Writes to --out DIR (default runs/<run.name>/<timestamp>/):\n"
    "  recipe.resolved.toml  the recipe with every default filled in (runnable as is)\n"
    "  metrics.jsonl         one line per evaluation (step, loss, every metric)\n"
    "  summary.json          status, steps, seconds, steps_per_second and the last metrics\n"
    "  log.txt               the log\n"
    "  progress.json         step, total and rate, rewritten every 2 s while it trains\n"
    "  checkpoint.ckpt       the latest checkpoint: every train.checkpoint_every steps,\n"
    "                        at Ctrl-C / SIGTERM and at the end\n"
    "  best.ckpt             with train.keep_best: the state at the best evaluation\n"
    "\n"
    "--resume DIR goes on with the run in DIR from its checkpoint.ckpt (from step 0 when it\n"
    "has none yet) and ends with the numbers an uninterrupted run gives; a completed run\n"
    "says so and exits 0. It reads DIR/recipe.resolved.toml and refuses a checkpoint that\n"
    "is damaged or was made from another recipe or other components.\n"
    "\n"
    "Ctrl-C or SIGTERM stops at the next step boundary, evaluates, saves a checkpoint and\n"
    "writes everything so far; a second one stops at once.\n"
    "Exit status: 0 ok, 1 runtime failure, 2 usage/recipe/plugin error or a checkpoint that\n"
    "--resume cannot use, 130 interrupted.\n";

std::string values_json(const NamedValues& values) {
    JsonObject o;
    for (const auto& [name, value] : values) o.add(name, value);
    return o.str();
}

// One line of metrics.jsonl.
std::string metrics_line(const Evaluation& e) {
    JsonObject line;
    line.add("step", e.step).add("loss", e.train_loss);
    for (const auto& [k, v] : e.values) line.add(k, v);
    return line.str();
}

// Where in the recipe the failing component was configured, for the "note:" line.
std::string configured_at(const Recipe& recipe, const ComponentFailure& f) {
    std::vector<const StageConfig*> stages = {&recipe.data, &recipe.encoder, &recipe.loss,
                                              &recipe.optimizer};
    for (const auto& m : recipe.metrics) stages.push_back(&m);
    for (const StageConfig* s : stages) {
        if (s->stage != f.stage) continue;
        SourceLocation where = s->where;
        if (!f.param_key.empty())
            if (const ParamValue* p = s->find(f.param_key)) where = p->where;
        if (where.line > 0)
            return where.file + ":" + std::to_string(where.line) + ":" + std::to_string(where.col);
        return where.file;
    }
    return "";
}

void report_failure(const Recipe& recipe, const ComponentFailure& f) {
    std::string kind = f.stage.rfind("metrics", 0) == 0 ? "metric" : f.stage;
    if (f.step >= 0)
        std::fprintf(stderr, "error: %s '%s' failed at step %lld: %s\n", kind.c_str(), f.id.c_str(),
                     static_cast<long long>(f.step), f.what());
    else
        std::fprintf(stderr, "error: %s '%s' could not be created: %s\n", kind.c_str(), f.id.c_str(),
                     f.what());
    std::string at = configured_at(recipe, f);
    if (at.empty()) return;
    if (!f.param_key.empty())
        std::fprintf(stderr, "note: '%s.%s' is configured at %s\n", f.stage.c_str(),
                     f.param_key.c_str(), at.c_str());
    else
        std::fprintf(stderr, "note: %s '%s' is configured at %s\n", kind.c_str(), f.id.c_str(),
                     at.c_str());
}

// What to do about a checkpoint --resume cannot use.
void print_fresh_run_hint(const RunDirectory& dir) {
    std::fprintf(stderr,
                 "hint: a checkpoint only continues the exact run that made it; to train this "
                 "recipe, start a fresh run folder: idlab run '%s' --out NEW_DIR\n",
                 dir.recipe_file().string().c_str());
}

void report_mismatch(const RunDirectory& dir, const fs::path& file,
                     const std::vector<std::string>& differences) {
    std::fprintf(stderr, "error: cannot resume from '%s': it was made from another pipeline\n",
                 file.string().c_str());
    for (const std::string& d : differences) std::fprintf(stderr, "note: %s\n", d.c_str());
    print_fresh_run_hint(dir);
}

// The summary.json of a run; `status` is "completed", "interrupted" or "failed".
void add_results(JsonObject& summary, const RunSummary& result) {
    const double rate = result.train_seconds > 0 ? result.steps / result.train_seconds : 0.0;
    summary.add("steps", result.steps)
        .add("seconds", result.seconds)
        .add("train_seconds", result.train_seconds)
        .add("steps_per_second", rate)
        .add("checkpoint_seconds", result.checkpoint_seconds)
        .add_bool("interrupted", result.interrupted)
        .add_bool("stopped_early", result.stopped_early);
    if (!result.evaluations.empty()) {
        const Evaluation& last = result.evaluations.back();
        summary.add("loss", last.train_loss);
        for (const auto& [k, v] : last.values) summary.add(k, v);
    }
    summary.add_raw("baseline", values_json(result.baseline));
    if (result.best) {
        JsonObject best;
        best.add("step", result.best->step).add("loss", result.best->train_loss);
        for (const auto& [k, v] : result.best->values) best.add(k, v);
        summary.add_raw("best", best.str());
    }
}

bool summary_says_completed(const RunDirectory& dir) {
    std::ifstream in(dir.summary_file(), std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str().find("\"status\": \"completed\"") != std::string::npos;
}

// Everything one invocation works on: the recipe, the folder and, when resuming, the checkpoint.
struct RunSetup {
    Recipe recipe;
    std::optional<RunDirectory> dir;
    std::optional<LoadedCheckpoint> checkpoint;  // --resume with a checkpoint
    bool resuming = false;
};

// Trains (or goes on training) and writes the summary; returns the exit code.
int train(RunSetup& setup, const Registry& registry, const std::vector<std::string>& overrides) {
    const Recipe& recipe = setup.recipe;
    RunDirectory& dir = *setup.dir;
    const std::string name = recipe.run.find("name")->string_value;
    if (int64_t threads = recipe.run.find("threads")->int_value; threads > 0)
        openblas_set_num_threads(static_cast<int>(threads));

    JsonObject summary;
    summary.add("name", name);
    std::string status = "completed";
    int exit_code = EXIT_OK;
    std::optional<RunSummary> result;
    // A resume that fails before its first step leaves the folder's summary.json as it was.
    bool trained = !setup.resuming;
    ProgressFile progress_file(dir.path() / "progress.json", recipe.train.find("steps")->int_value);
    try {
        // The recipe was checked against the registry, so a device other than the CPU is served.
        const DeviceLookup device = registry.find_device(recipe.run.find("device")->string_value);
        if (!device.error.empty()) throw std::runtime_error(device.error);
        Trainer trainer(recipe, registry.host_services(), device.table);
        trainer.set_checkpoint_files(dir.checkpoint_file(), dir.best_file());
        if (setup.checkpoint) {
            trainer.resume(*setup.checkpoint);
            std::vector<std::string> lines;
            for (const Evaluation& e : setup.checkpoint->contents.state.evaluations)
                lines.push_back(metrics_line(e));
            const size_t dropped = dir.keep_metrics(lines);
            spdlog::info("resuming from {} at step {}: metrics.jsonl keeps its {} evaluation{}{}",
                         setup.checkpoint->file.string(), trainer.first_step(), lines.size(),
                         lines.size() == 1 ? "" : "s",
                         dropped ? " and drops " + std::to_string(dropped) + " written after the checkpoint" : "");
            setup.checkpoint.reset();  // the tensors are in the components now
        } else if (setup.resuming) {
            dir.keep_metrics({});
            spdlog::info("{} has no checkpoint yet: starting from step 0", dir.path().string());
        }
        trained = true;
        install_interrupt_handler();
        const int64_t steps = recipe.train.find("steps")->int_value;
        Progress progress(steps, isatty(STDERR_FILENO) != 0, trainer.first_step());
        progress.attach(&progress_file);
        result = trainer.run(progress, [&](const Evaluation& e) {
            dir.append_metrics(metrics_line(e));
            progress.clear();
            std::string text = "step " + std::to_string(e.step) + ": loss " + json_number(e.train_loss);
            for (const auto& [k, v] : e.values) text += ", " + k + " " + json_number(v);
            spdlog::info("{}", text);
        });
        add_results(summary, *result);
        const double rate = result->train_seconds > 0 ? result->steps / result->train_seconds : 0.0;
        spdlog::info("{} steps in {:.1f} s ({:.1f} steps/s, {:.2f} s writing checkpoints)", result->steps,
                     result->seconds, rate, result->checkpoint_seconds);
        if (result->stopped_early)
            spdlog::info("stopped early at step {} of {}", result->steps, steps);
        if (!result->evaluations.empty()) {
            std::string text;
            for (const auto& [k, v] : result->evaluations.back().values)
                text += (text.empty() ? "" : ", ") + k + " = " + json_number(v);
            if (!text.empty()) std::printf("%s: %s (baseline with x: %s)\n",
                                           result->interrupted ? "interrupted" : "final",
                                           text.c_str(), values_json(result->baseline).c_str());
        }
        std::printf("results in %s\n", dir.path().string().c_str());
        if (result->interrupted) {
            spdlog::warn("interrupted after {} steps; everything so far is written, "
                         "`idlab run --resume {}` goes on", result->steps, dir.path().string());
            status = "interrupted";
            exit_code = EXIT_INTERRUPTED;
        }
    } catch (const WiringError& e) {
        Diagnostic d;
        d.where = e.where;
        d.message = e.what();
        print_diagnostic(d, overrides);
        summary.add("error", std::string(e.what()));
        status = "failed";
        exit_code = EXIT_USAGE;
    } catch (const CheckpointMismatch& m) {
        report_mismatch(dir, m.file, m.differences);
        summary.add("error", std::string(m.what()));
        status = "failed";
        exit_code = EXIT_USAGE;
    } catch (const ComponentFailure& f) {
        report_failure(recipe, f);
        summary.add("error", std::string(f.what()));
        summary.add("failed_step", f.step);
        status = "failed";
        exit_code = f.step < 0 && f.code == IDLAB_STATUS_INVALID_CONFIG ? EXIT_USAGE : EXIT_RUNTIME;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        summary.add("error", std::string(e.what()));
        status = "failed";
        exit_code = EXIT_RUNTIME;
    }
    summary.add("status", status);
    if (!trained) {
        progress_file.finish(status.c_str());
        return exit_code;
    }
    try {
        dir.write_summary(summary.str());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        exit_code = EXIT_RUNTIME;
    }
    progress_file.finish(status.c_str());
    return exit_code;
}

// A fresh run: the recipe and its overrides, a new folder.
std::optional<int> set_up_fresh(RunSetup& setup, const Args& args, const Registry& registry) {
    auto recipe = resolve_recipe(args.positionals[0], args.overrides, registry);
    if (!recipe) return EXIT_USAGE;
    setup.recipe = std::move(*recipe);
    const std::string name = setup.recipe.run.find("name")->string_value;
    try {
        setup.dir.emplace(args.out_dir, name);
        setup.dir->write_resolved_recipe(setup.recipe.to_toml());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return EXIT_RUNTIME;
    }
    add_log_file(setup.dir->log_file());
    spdlog::info("run '{}' -> {}", name, setup.dir->path().string());
    for (const std::string& o : args.overrides) spdlog::info("override: {}", o);
    return std::nullopt;
}

// --resume DIR: the folder's resolved recipe and, when there is one, its checkpoint, checked
// against each other. Returns an exit code when there is nothing to train.
std::optional<int> set_up_resume(RunSetup& setup, const Args& args, const Registry& registry) {
    setup.resuming = true;
    setup.dir = RunDirectory::existing(args.resume_dir);
    RunDirectory& dir = *setup.dir;
    if (!fs::is_regular_file(dir.recipe_file())) {
        std::fprintf(stderr, "idlab run --resume: '%s' is not a run folder: it has no recipe.resolved.toml\n",
                     args.resume_dir.c_str());
        return EXIT_USAGE;
    }
    auto recipe = resolve_recipe(dir.recipe_file().string(), {}, registry);
    if (!recipe) return EXIT_USAGE;
    setup.recipe = std::move(*recipe);

    if (fs::exists(dir.checkpoint_file())) {
        try {
            setup.checkpoint = read_checkpoint(dir.checkpoint_file());
        } catch (const CheckpointError& e) {
            std::fprintf(stderr, "error: cannot resume from '%s': %s\n", e.file.string().c_str(),
                         e.problem.c_str());
            print_fresh_run_hint(dir);
            return EXIT_USAGE;
        }
        const std::vector<std::string> differences =
            recipe_differences(setup.checkpoint->contents.recipe, canonical_recipe(setup.recipe));
        if (!differences.empty()) {
            report_mismatch(dir, dir.checkpoint_file(), differences);
            return EXIT_USAGE;
        }
    }
    const TrainingState* saved = setup.checkpoint ? &setup.checkpoint->contents.state : nullptr;
    if ((saved && saved->finished) || (!saved && summary_says_completed(dir))) {
        if (saved && !summary_says_completed(dir)) {
            // Stopped between its last checkpoint and its summary: the summary follows from it.
            JsonObject summary;
            summary.add("name", setup.recipe.run.find("name")->string_value);
            add_results(summary, summary_of(*saved));
            summary.add("status", "completed");
            dir.write_summary(summary.str());
            std::printf("the run in %s had completed (%lld steps); summary.json is written from its checkpoint\n",
                        dir.path().string().c_str(), static_cast<long long>(saved->step));
        } else {
            std::printf("the run in %s is already completed; nothing to do\n", dir.path().string().c_str());
        }
        return EXIT_OK;
    }
    add_log_file(dir.log_file(), true);
    spdlog::info("resuming run '{}' in {}", setup.recipe.run.find("name")->string_value, dir.path().string());
    return std::nullopt;
}

}  // namespace

int command_run(int argc, char** argv) {
    std::string usage_error;
    auto args = parse_args(argc, argv, 2, {"--out", "--resume", "--plugin-path", "--log-level"}, usage_error);
    if (args && args->help) {
        std::fputs(kRunHelp, stdout);
        return EXIT_OK;
    }
    if (args && !args->resume_dir.empty()) {
        if (!args->positionals.empty() || !args->overrides.empty())
            usage_error = "--resume DIR takes no recipe and no overrides: it goes on with the run in DIR as it was";
        else if (!args->out_dir.empty())
            usage_error = "--resume DIR writes to DIR; --out does not apply";
    } else if (args && args->positionals.size() != 1) {
        usage_error = "expected exactly one recipe file";
    }
    if (!args || !usage_error.empty()) {
        std::fprintf(stderr, "idlab run: %s\n%s", usage_error.c_str(), kRunHelp);
        return EXIT_USAGE;
    }
    setup_console_logging(args->log_level);
    auto registry = open_registry(args->plugin_dirs);

    RunSetup setup;
    std::optional<int> done;
    try {
        done = args->resume_dir.empty() ? set_up_fresh(setup, *args, *registry)
                                        : set_up_resume(setup, *args, *registry);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        done = EXIT_RUNTIME;
    }
    if (done) {
        remove_log_files();
        return *done;
    }
    const Recipe& recipe = setup.recipe;
    if (!recipe.sweep.empty()) {
        size_t points = 1;
        std::string axes;
        for (const SweepAxis& axis : recipe.sweep) {
            points *= axis.values.size();
            axes += (axes.empty() ? "" : ", ") + axis.key;
        }
        spdlog::info("the recipe's [sweep] spans {} points ({}); this run trains its base values", points, axes);
    }
    const int exit_code = train(setup, *registry, args->overrides);
    remove_log_files();
    return exit_code;
}

}  // namespace idlab::host
