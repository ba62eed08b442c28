// `idlab sweep RECIPE [axis=v1,v2 ...] [--seeds N] [--jobs J] [--launcher local|slurm]`: plan a
// grid of runs, list it, then run it here or submit it to Slurm; `--status DIR` shows where it
// stands; `--run-job DIR JOB` runs one job (what each Slurm array task does).
#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "cli/session.hpp"
#include "runtime/atomic_file.hpp"
#include "runtime/logging.hpp"
#include "sweep/axes.hpp"
#include "sweep/job_process.hpp"
#include "sweep/job_status.hpp"
#include "sweep/local_launcher.hpp"
#include "sweep/lock.hpp"
#include "sweep/manifest.hpp"
#include "sweep/plan.hpp"
#include "sweep/slurm_launcher.hpp"
#include "sweep/status.hpp"

#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <optional>
#include <thread>

namespace idlab::host {
namespace fs = std::filesystem;

namespace {

const char* kSweepHelp =
    "usage: idlab sweep RECIPE [key=v1,v2,... ...] [key=value ...] [--seeds N] [--jobs J]\n"
    "                   [--threads T] [--launcher local|slurm] [--sbatch OPTION ...]\n"
    "                   [--out DIR] [--dry-run] [--plugin-path DIR] [--log-level L]\n"
    "       idlab sweep DIR [--jobs J] [--threads T] [--launcher local|slurm] ...\n"
    "       idlab sweep --status DIR\n"
    "\n"
    "Runs the grid a recipe describes: the cartesian product of its [sweep] table and the\n"
    "command line's axes, for each of N seeds, each point an ordinary `idlab run` with its\n"
    "overrides. Every job is listed, and the plan written to DIR/sweep.json, before any starts.\n"
    "\n"
    "Axes: key=v1,v2,... (two or more values; commas inside [...] or quotes do not split, so\n"
    "encoder.hidden=[64,64],[128,128] is two values and encoder.hidden=[64,64] one). A\n"
    "command-line axis replaces the recipe's axis of the same key; key=value with one value is\n"
    "a fixed override of every job (and pins a swept key). --seeds N runs the seeds run.seed,\n"
    "run.seed+1, ..., run.seed+N-1 (default 1).\n"
    "\n"
    "DIR (default sweeps/<run.name>/) holds sweep.json (the plan), recipe.toml (the resolved\n"
    "base recipe every job starts from), launch.json, and one run folder per job named by its\n"
    "axis values, DIR/data.kappa=50.0/train.batch_size=256/seed1/, with console.txt (everything\n"
    "the run printed) beside the usual run files.\n"
    "\n"
    "Rerunning the same command (or `idlab sweep DIR`) skips finished jobs, resumes interrupted\n"
    "ones from their checkpoints (idlab run --resume) and retries failed ones; it may add jobs\n"
    "(more seeds, more values) but not change planned ones. DIR/sweep.lock keeps a second sweep\n"
    "out of a folder in use; each job's job.lock keeps two launchers off one job.\n"
    "\n"
    "Launchers:\n"
    "  --launcher local  (default) runs J jobs at a time here (--jobs J, default 1), each with\n"
    "                    run.threads = T (--threads T; default: the cores / J, or the recipe's\n"
    "                    run.threads when it sets one). Ctrl-C stops launching and lets the\n"
    "                    running jobs checkpoint and stop; a failed job does not stop the rest.\n"
    "  --launcher slurm  writes DIR/slurm/array-<time>.sbatch, a job array with one task per\n"
    "                    unfinished job (--jobs J: at most J at once; --cpus-per-task T, default\n"
    "                    1), and submits it with sbatch. --sbatch OPTION adds an '#SBATCH OPTION'\n"
    "                    line (repeatable): --sbatch=--partition=cpu --sbatch=--time=4:00:00.\n"
    "\n"
    "  --status DIR      done/running/failed/interrupted/pending per job and overall, an ETA\n"
    "                    (finished jobs' durations, running jobs' progress), and the last lines\n"
    "                    of each failed job's log.\n"
    "  --dry-run         lists the jobs and exits; writes nothing.\n"
    "\n"
    "Then: idlab report DIR (mean and std over seeds as tables, plots, index.html).\n"
    "Exit status: 0 every job done (slurm: submitted), 1 a job failed, was killed or still runs\n"
    "elsewhere, 2 usage or recipe error (or a plan the folder does not hold), 130 interrupted.\n";

constexpr size_t kFailureLines = 12;

bool parse_count(const Args& args, const std::string& name, int min, int& out, std::string& error) {
    const std::optional<std::string> text = args.option(name);
    if (!text) return true;
    char* end = nullptr;
    errno = 0;
    const long v = std::strtol(text->c_str(), &end, 10);
    if (text->empty() || *end != '\0' || errno != 0 || v < min || v > 1000000) {
        error = "option '" + name + "' expects a whole number >= " + std::to_string(min) + ", got '" + *text + "'";
        return false;
    }
    out = static_cast<int>(v);
    return true;
}

int available_cpus() {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof(set), &set) == 0) return std::max(1, CPU_COUNT(&set));
    return std::max(1u, std::thread::hardware_concurrency());
}

// Loads the recipe with `overrides`; on failure prints `context` and the diagnostics.
std::optional<Recipe> load_quietly(const std::string& path, const std::vector<std::string>& overrides,
                                   const Registry& registry, const std::string& context) {
    std::vector<Diagnostic> diagnostics;
    auto recipe = load_recipe(path, overrides, component_source(registry), diagnostics);
    if (!recipe) {
        std::fprintf(stderr, "idlab sweep: %s:\n", context.c_str());
        for (const Diagnostic& d : diagnostics) print_diagnostic(d, overrides);
    }
    return recipe;
}

struct Planned {
    SweepPlan plan;
    Recipe base;
};

// Plans a sweep from a recipe: axes, seeds, and every job resolved once by the recipe layer
// (bad values are reported before anything runs).
std::optional<Planned> plan_from_recipe(const std::string& path, const Args& args, const Registry& registry,
                                        int seeds) {
    std::string error;
    auto command_line = parse_command_line_axes(args.overrides, error);
    if (!command_line) {
        std::fprintf(stderr, "idlab sweep: %s\n", error.c_str());
        return std::nullopt;
    }
    auto base = resolve_recipe(path, command_line->fixed, registry);
    if (!base) return std::nullopt;
    auto axes = combine_axes(base->sweep, *command_line, error);
    if (!axes) {
        std::fprintf(stderr, "idlab sweep: %s\n", error.c_str());
        return std::nullopt;
    }
    // Each value on its own first: one clear error per bad value.
    bool ok = true;
    for (const Axis& axis : *axes)
        for (const std::string& value : axis.values) {
            std::vector<std::string> overrides = command_line->fixed;
            overrides.push_back(axis.key + "=" + value);
            ok = load_quietly(path, overrides, registry, "the value " + value + " of axis '" + axis.key + "'") && ok;
        }
    if (!ok) return std::nullopt;

    const int64_t first_seed = base->run.find("seed")->int_value;
    SweepPlan plan = plan_sweep(base->run.find("name")->string_value, path, command_line->fixed, *axes,
                                first_seed, seeds, base->train.find("steps")->int_value);
    // Then each configuration (seeds share one) as the job will see it.
    std::map<std::string, int64_t> steps_of;
    for (SweepJob& job : plan.jobs) {
        const std::string config = job.configuration();
        if (!steps_of.count(config)) {
            std::vector<std::string> overrides = command_line->fixed;
            for (const auto& [key, value] : job.values) overrides.push_back(key + "=" + value);
            auto resolved = load_quietly(path, overrides, registry, "job '" + job.dir + "'");
            if (!resolved) return std::nullopt;
            steps_of[config] = resolved->train.find("steps")->int_value;
        }
        job.steps = steps_of[config];
    }
    Recipe snapshot = *base;
    snapshot.sweep.clear();  // the jobs are the grid; each runs one point of it
    return Planned{std::move(plan), std::move(snapshot)};
}

void print_plan(const fs::path& dir, const SweepPlan& plan, bool existing) {
    std::string shape;
    for (const Axis& a : plan.axes) shape += std::to_string(a.values.size()) + " x ";
    std::printf("sweep '%s': %s%zu seed%s = %zu job%s in %s\n", plan.name.c_str(), shape.c_str(),
                plan.seeds.size(), plan.seeds.size() == 1 ? "" : "s", plan.jobs.size(),
                plan.jobs.size() == 1 ? "" : "s", dir.string().c_str());
    for (const Axis& a : plan.axes) {
        std::string values;
        for (const std::string& v : a.values) values += (values.empty() ? "" : ", ") + v;
        std::printf("  axis  %s = %s%s\n", a.key.c_str(), values.c_str(),
                    a.from_command_line ? "  (command line)" : "");
    }
    std::string seeds;
    for (int64_t s : plan.seeds) seeds += (seeds.empty() ? "" : ", ") + std::to_string(s);
    std::printf("  seeds %s\n", seeds.c_str());
    for (const std::string& f : plan.fixed) std::printf("  fixed %s\n", f.c_str());
    for (const SweepJob& job : plan.jobs) {
        const JobStatus st = existing ? read_job_status(dir / job.dir) : JobStatus{};
        std::printf("  %-11s %s\n", job_state_name(st.state), job.dir.c_str());
    }
    std::fflush(stdout);
}

int show_status(const std::string& dir) {
    std::string error;
    auto plan = read_manifest(dir, error);
    if (!plan) {
        std::fprintf(stderr, "idlab sweep: %s\n", is_sweep_folder(dir) ? error.c_str() : ("'" + dir + "' is not a sweep folder (no sweep.json)").c_str());
        return EXIT_USAGE;
    }
    const SweepStatus status = read_sweep_status(dir, *plan);
    std::fputs(status_report(dir, *plan, status, kFailureLines).c_str(), stdout);
    return EXIT_OK;
}

// A folder that exists with files in it but is no sweep: never write a sweep into it.
bool occupied_by_something_else(const fs::path& dir) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec) || is_sweep_folder(dir)) return false;
    for (const fs::directory_entry& e : fs::directory_iterator(dir, ec))
        if (e.path().filename() != kSweepLockFile) return true;  // a lock alone: a sweep being set up
    return false;
}

std::vector<std::string> absolute_dirs(const std::vector<std::string>& dirs) {
    std::vector<std::string> out;
    for (const std::string& d : dirs) out.push_back(fs::absolute(d).string());
    return out;
}

// `--run-job DIR --job JOB`: one job, in this process, as each Slurm array task runs it.
// Takes the job's lock, then becomes the job's `idlab run` (exec), keeping the lock.
int run_one_job(const std::string& dir, const std::string& job_dir, const Args& args, int threads) {
    std::string error;
    auto plan = read_manifest(dir, error);
    if (!plan) {
        std::fprintf(stderr, "idlab sweep --run-job: %s\n", error.c_str());
        return EXIT_USAGE;
    }
    const SweepJob* job = plan->find(job_dir);
    if (!job) {
        std::fprintf(stderr, "idlab sweep --run-job: the sweep in '%s' has no job '%s'\n", dir.c_str(), job_dir.c_str());
        return EXIT_USAGE;
    }
    const fs::path folder = fs::path(dir) / job->dir;
    std::string where;
    if (const char* id = std::getenv("SLURM_ARRAY_JOB_ID"))
        where = std::string("Slurm job ") + id + " task " + (std::getenv("SLURM_ARRAY_TASK_ID") ? std::getenv("SLURM_ARRAY_TASK_ID") : "?");
    try {
        std::error_code ec;
        fs::create_directories(folder, ec);
        std::string held_by;
        auto lock = FileLock::try_take(folder / kJobLockFile, holder_text(getpid(), "idlab sweep --run-job " + where), held_by);
        if (!lock) {
            std::printf("%s: already running (%s)\n", job->dir.c_str(), held_by.c_str());
            return EXIT_OK;
        }
        const JobStatus st = read_job_status(folder, false);
        if (st.state == JobState::Done) {
            std::printf("%s: already done\n", job->dir.c_str());
            return EXIT_OK;
        }
        LaunchSettings settings;
        settings.idlab = self_executable();
        settings.plugin_dirs = absolute_dirs(args.plugin_dirs);
        settings.log_level = args.log_level;
        settings.threads = threads;
        const std::vector<std::string> command = job_command(dir, *job, st.has_run, settings);
        std::printf("%s: %s\n", job->dir.c_str(), shell_words(command).c_str());
        std::fflush(stdout);
        const int console = start_attempt(folder, command, "idlab sweep --run-job" + (where.empty() ? "" : ", " + where));
        lock->describe(holder_text(getpid(), "idlab run " + where));
        exec_job_process(command, console, lock->fd());
        const int err = errno;
        std::fprintf(stderr, "idlab sweep --run-job: cannot execute %s: %s\n", command[0].c_str(), std::strerror(err));
        return EXIT_RUNTIME;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "idlab sweep --run-job: %s\n", e.what());
        return EXIT_RUNTIME;
    }
}

}  // namespace

int command_sweep(int argc, char** argv) {
    std::string usage_error;
    auto args = parse_args(argc, argv, 2,
                           {"--out", "--plugin-path", "--log-level", "--seeds", "--jobs", "--threads", "--launcher",
                            "--sbatch", "--status", "--run-job", "--job"},
                           usage_error, {"--dry-run"});
    if (args && args->help) {
        std::fputs(kSweepHelp, stdout);
        return EXIT_OK;
    }
    int seeds = 1, jobs = 0, threads = 0;
    std::string launcher = "local";
    if (args) {
        if (auto l = args->option("--launcher")) launcher = *l;
        if (launcher != "local" && launcher != "slurm")
            usage_error = "--launcher expects 'local' or 'slurm', got '" + launcher + "'";
        else if (!parse_count(*args, "--seeds", 1, seeds, usage_error) ||
                 !parse_count(*args, "--jobs", 1, jobs, usage_error) ||
                 !parse_count(*args, "--threads", 1, threads, usage_error)) {
        } else if (args->option("--status")) {
            if (!args->positionals.empty() || !args->overrides.empty())
                usage_error = "--status DIR takes nothing else";
        } else if (args->option("--run-job")) {
            if (!args->option("--job") || !args->positionals.empty() || !args->overrides.empty())
                usage_error = "--run-job DIR takes the job as --job JOB (its folder in the sweep) and nothing else";
        } else if (args->positionals.size() != 1) {
            usage_error = "expected one recipe file or sweep folder";
        }
    }
    if (!args || !usage_error.empty()) {
        std::fprintf(stderr, "idlab sweep: %s\n%s", usage_error.c_str(), kSweepHelp);
        return EXIT_USAGE;
    }
    setup_console_logging(args->log_level);
    if (auto dir = args->option("--status")) return show_status(*dir);
    if (auto dir = args->option("--run-job")) return run_one_job(*dir, *args->option("--job"), *args, threads);

    const std::string target = args->positionals[0];
    const bool from_folder = fs::is_directory(target);
    if (from_folder && !is_sweep_folder(target)) {
        std::fprintf(stderr, "idlab sweep: '%s' is a folder but not a sweep (no sweep.json); give a recipe file\n",
                     target.c_str());
        return EXIT_USAGE;
    }
    if (from_folder && (!args->overrides.empty() || args->option("--seeds") || !args->out_dir.empty())) {
        std::fprintf(stderr,
                     "idlab sweep: a sweep folder runs as planned; to change axes, seeds or overrides, run the "
                     "recipe again with them (and the same --out)\n");
        return EXIT_USAGE;
    }

    auto registry = open_registry(args->plugin_dirs);
    SweepPlan plan;
    std::optional<Recipe> base;
    fs::path dir;
    std::string error;
    if (from_folder) {
        dir = target;
        auto stored = read_manifest(dir, error);
        if (!stored) {
            std::fprintf(stderr, "idlab sweep: %s\n", error.c_str());
            return EXIT_USAGE;
        }
        plan = std::move(*stored);
        base = resolve_recipe((dir / kBaseRecipeFile).string(), {}, *registry);
        if (!base) return EXIT_USAGE;
    } else {
        auto planned = plan_from_recipe(target, *args, *registry, seeds);
        if (!planned) return EXIT_USAGE;
        plan = std::move(planned->plan);
        base = std::move(planned->base);
        dir = args->out_dir.empty() ? fs::path("sweeps") / plan.name : fs::path(args->out_dir);
    }

    if (!from_folder && occupied_by_something_else(dir)) {
        std::fprintf(stderr,
                     "idlab sweep: '%s' exists and holds something other than a sweep (no sweep.json); "
                     "give a new or empty --out\n",
                     dir.string().c_str());
        return EXIT_USAGE;
    }
    if (args->option("--dry-run")) {
        print_plan(dir, plan, is_sweep_folder(dir));
        return EXIT_OK;
    }

    std::optional<FileLock> lock;
    try {
        std::error_code ec;
        fs::create_directories(dir, ec);
        if (ec) {
            std::fprintf(stderr, "idlab sweep: cannot create '%s': %s\n", dir.string().c_str(), ec.message().c_str());
            return EXIT_RUNTIME;
        }
        std::string held_by;
        const std::string what = "idlab sweep (" + launcher + " launcher)";
        lock = FileLock::try_take(dir / kSweepLockFile, holder_text(getpid(), what), held_by);
        if (!lock) {
            std::fprintf(stderr,
                         "idlab sweep: '%s' is in use by %s\n"
                         "wait for it to finish, stop it, or give this sweep another --out\n",
                         dir.string().c_str(), held_by.c_str());
            return EXIT_RUNTIME;
        }
        const std::string base_text = base->to_toml();
        if (!from_folder && is_sweep_folder(dir)) {
            auto stored = read_manifest(dir, error);
            if (!stored) {
                std::fprintf(stderr, "idlab sweep: %s\n", error.c_str());
                return EXIT_USAGE;
            }
            std::string difference;
            if (!same_base_recipe(read_text_file(dir / kBaseRecipeFile), base_text, difference)) {
                std::fprintf(stderr,
                             "idlab sweep: '%s' holds a sweep of a different base recipe (%s):\n%s\n"
                             "give this sweep another --out, or rerun it as planned with: idlab sweep %s\n",
                             dir.string().c_str(), (dir / kBaseRecipeFile).string().c_str(), difference.c_str(),
                             dir.string().c_str());
                return EXIT_USAGE;
            }
            auto extended = extend_plan(*stored, plan, error);
            if (!extended) {
                std::fprintf(stderr,
                             "idlab sweep: '%s' holds a different plan: %s\n"
                             "use the same axes and seeds (more are fine), give another --out, or rerun it as "
                             "planned with: idlab sweep %s\n",
                             dir.string().c_str(), error.c_str(), dir.string().c_str());
                return EXIT_USAGE;
            }
            plan = std::move(*extended);
        }
        if (!from_folder) {
            write_file_atomically(dir / kBaseRecipeFile, base_text);
            write_manifest(dir, plan);
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "idlab sweep: %s\n", e.what());
        return EXIT_RUNTIME;
    }
    print_plan(dir, plan, true);

    // Threads per job: --threads, else the recipe's own run.threads, else a share of the cores.
    const ParamValue* recipe_threads = base->run.find("threads");
    const bool recipe_sets_threads = recipe_threads && recipe_threads->int_value > 0;
    LaunchSettings settings;
    try {
        settings.idlab = self_executable();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "idlab sweep: %s\n", e.what());
        return EXIT_RUNTIME;
    }
    settings.plugin_dirs = absolute_dirs(args->plugin_dirs);
    settings.log_level = args->log_level;

    if (launcher == "slurm") {
        SlurmOptions options;
        options.jobs = jobs;
        options.settings = settings;
        options.settings.threads = threads > 0 ? threads : recipe_sets_threads ? 0 : 1;
        options.cpus_per_task = threads > 0 ? threads : recipe_sets_threads ? static_cast<int>(recipe_threads->int_value) : 1;
        for (const std::string& line : args->option_values("--sbatch")) options.sbatch_lines.push_back(line);
        if (const char* sbatch = std::getenv("IDLAB_SBATCH"); sbatch && *sbatch) options.sbatch = sbatch;
        try {
            return submit_slurm(dir, plan, options, stdout);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "idlab sweep: %s\n", e.what());
            return EXIT_RUNTIME;
        }
    }
    LocalOptions options;
    options.jobs = jobs > 0 ? jobs : 1;
    options.settings = settings;
    options.settings.threads = threads > 0 ? threads : recipe_sets_threads ? 0 : std::max(1, available_cpus() / options.jobs);
    options.failure_lines = kFailureLines;
    return run_local(dir, plan, options, stdout);
}

}  // namespace idlab::host
