// A sweep's plan: the cartesian product of its axes times its seeds, one job per point, each
// an ordinary `idlab run` of the sweep's base recipe with the point's overrides.
#pragma once

#include "sweep/axes.hpp"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace idlab::host {

struct SweepJob {
    std::string dir;                                         // relative: "data.kappa=50/seed1"
    std::vector<std::pair<std::string, std::string>> values; // axis key -> TOML text, axis order
    int64_t seed = 0;
    std::vector<std::string> overrides;                      // the axis values, then run.seed=S
    int64_t steps = 0;                                       // train.steps of this job

    // The configuration this job belongs to: the folder without its seed ("" without axes).
    std::string configuration() const;
};

struct SweepPlan {
    std::string name;                  // run.name of the base recipe
    std::string recipe;                // the recipe file the sweep was planned from
    std::vector<std::string> fixed;    // the command line's fixed overrides (in the base recipe)
    std::vector<Axis> axes;
    std::vector<int64_t> seeds;
    std::vector<SweepJob> jobs;        // axes vary slowest-first (the first axis is outermost)

    const SweepJob* find(const std::string& dir) const;
};

// Lists every job: each point of the product (first axis outermost) for each seed
// first_seed .. first_seed + seed_count - 1. Folder names that would collide after
// folder_value() get a "~2", "~3" suffix on the last axis's component. `steps` is every job's
// train.steps until the caller resolves the jobs.
SweepPlan plan_sweep(const std::string& name, const std::string& recipe,
                     const std::vector<std::string>& fixed, const std::vector<Axis>& axes,
                     int64_t first_seed, int64_t seed_count, int64_t steps);

}  // namespace idlab::host
