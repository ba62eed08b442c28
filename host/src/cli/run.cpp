// `idlab run RECIPE [key=value ...] [--out DIR]`: train and evaluate, writing the run folder.
#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "cli/session.hpp"
#include "runtime/interrupt.hpp"
#include "runtime/json.hpp"
#include "runtime/logging.hpp"
#include "runtime/progress.hpp"
#include "runtime/run_directory.hpp"
#include "runtime/trainer.hpp"

#include <cblas.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <optional>
#include <unistd.h>

namespace idlab::host {

namespace {

const char* kRunHelp =
    "usage: idlab run RECIPE [key=value ...] [--out DIR] [--plugin-path DIR] [--log-level L]\n"
    "\n"
    "Trains and evaluates the pipeline a recipe describes. Overrides are TOML values\n"
    "(data.kappa=50, encoder.hidden=[64,64], loss.target=index) and win over the file.\n"
    "\n"
    "Writes to --out DIR (default runs/<run.name>/<timestamp>/):\n"
    "  recipe.resolved.toml  the recipe with every default filled in (runnable as is)\n"
    "  metrics.jsonl         one line per evaluation (step, loss, every metric)\n"
    "  summary.json          steps, seconds, steps_per_second and the last metrics\n"
    "  log.txt               the log\n"
    "\n"
    "Ctrl-C stops at the next step boundary, evaluates and writes everything so far.\n"
    "Exit status: 0 ok, 1 runtime failure, 2 usage/recipe/plugin error, 130 interrupted.\n";

std::string values_json(const NamedValues& values) {
    JsonObject o;
    for (const auto& [name, value] : values) o.add(name, value);
    return o.str();
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

}  // namespace

int command_run(int argc, char** argv) {
    std::string usage_error;
    auto args = parse_args(argc, argv, 2, {"--out", "--plugin-path", "--log-level"}, usage_error);
    if (args && args->help) {
        std::fputs(kRunHelp, stdout);
        return EXIT_OK;
    }
    if (args && args->positionals.size() != 1) usage_error = "expected exactly one recipe file";
    if (!args || !usage_error.empty()) {
        std::fprintf(stderr, "idlab run: %s\n%s", usage_error.c_str(), kRunHelp);
        return EXIT_USAGE;
    }
    setup_console_logging(args->log_level);
    auto registry = open_registry(args->plugin_dirs);
    auto recipe = resolve_recipe(args->positionals[0], args->overrides, *registry);
    if (!recipe) return EXIT_USAGE;

    const std::string name = recipe->run.find("name")->string_value;
    std::optional<RunDirectory> dir;
    try {
        dir.emplace(args->out_dir, name);
        dir->write_resolved_recipe(recipe->to_toml());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return EXIT_RUNTIME;
    }
    add_log_file(dir->path() / "log.txt");
    spdlog::info("run '{}' -> {}", name, dir->path().string());
    for (const std::string& o : args->overrides) spdlog::info("override: {}", o);
    if (!recipe->sweep.empty()) {
        size_t points = 1;
        std::string axes;
        for (const SweepAxis& axis : recipe->sweep) {
            points *= axis.values.size();
            axes += (axes.empty() ? "" : ", ") + axis.key;
        }
        spdlog::info("the recipe's [sweep] spans {} points ({}); this run trains its base values", points, axes);
    }

    if (int64_t threads = recipe->run.find("threads")->int_value; threads > 0)
        openblas_set_num_threads(static_cast<int>(threads));

    JsonObject summary;
    summary.add("name", name);
    int exit_code = EXIT_OK;
    try {
        // The recipe was checked against the registry, so a device other than the CPU is served.
        const DeviceLookup device = registry->find_device(recipe->run.find("device")->string_value);
        if (!device.error.empty()) throw std::runtime_error(device.error);
        Trainer trainer(*recipe, registry->host_services(), device.table);
        install_interrupt_handler();
        Progress progress(recipe->train.find("steps")->int_value, isatty(STDERR_FILENO) != 0);
        RunSummary result = trainer.run(progress, [&](const Evaluation& e) {
            JsonObject line;
            line.add("step", e.step).add("loss", e.train_loss);
            for (const auto& [k, v] : e.values) line.add(k, v);
            dir->append_metrics(line.str());
            progress.clear();
            std::string text = "step " + std::to_string(e.step) + ": loss " + json_number(e.train_loss);
            for (const auto& [k, v] : e.values) text += ", " + k + " " + json_number(v);
            spdlog::info("{}", text);
        });
        const double rate = result.train_seconds > 0 ? result.steps / result.train_seconds : 0.0;
        summary.add("steps", result.steps)
            .add("seconds", result.seconds)
            .add("train_seconds", result.train_seconds)
            .add("steps_per_second", rate)
            .add_bool("interrupted", result.interrupted);
        if (!result.evaluations.empty()) {
            const Evaluation& last = result.evaluations.back();
            summary.add("loss", last.train_loss);
            for (const auto& [k, v] : last.values) summary.add(k, v);
        }
        summary.add_raw("baseline", values_json(result.baseline));
        spdlog::info("{} steps in {:.1f} s ({:.1f} steps/s)", result.steps, result.seconds, rate);
        if (!result.evaluations.empty()) {
            std::string text;
            for (const auto& [k, v] : result.evaluations.back().values)
                text += (text.empty() ? "" : ", ") + k + " = " + json_number(v);
            if (!text.empty()) std::printf("%s: %s (baseline with x: %s)\n",
                                           result.interrupted ? "interrupted" : "final",
                                           text.c_str(), values_json(result.baseline).c_str());
        }
        std::printf("results in %s\n", dir->path().string().c_str());
        if (result.interrupted) {
            spdlog::warn("interrupted after {} steps; everything so far is written", result.steps);
            exit_code = EXIT_INTERRUPTED;
        }
    } catch (const WiringError& e) {
        Diagnostic d;
        d.where = e.where;
        d.message = e.what();
        print_diagnostic(d, args->overrides);
        summary.add("error", std::string(e.what()));
        exit_code = EXIT_USAGE;
    } catch (const ComponentFailure& f) {
        report_failure(*recipe, f);
        summary.add("error", std::string(f.what()));
        summary.add("failed_step", f.step);
        exit_code = f.step < 0 && f.code == IDLAB_STATUS_INVALID_CONFIG ? EXIT_USAGE : EXIT_RUNTIME;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        summary.add("error", std::string(e.what()));
        exit_code = EXIT_RUNTIME;
    }
    try {
        dir->write_summary(summary.str());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        exit_code = EXIT_RUNTIME;
    }
    remove_log_files();
    return exit_code;
}

}  // namespace idlab::host
