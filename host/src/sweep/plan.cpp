#include "sweep/plan.hpp"

#include "sweep/job_folder.hpp"

#include <set>

namespace idlab::host {

std::string SweepJob::configuration() const {
    const size_t slash = dir.rfind('/');
    return slash == std::string::npos ? "" : dir.substr(0, slash);
}

const SweepJob* SweepPlan::find(const std::string& dir) const {
    for (const SweepJob& j : jobs)
        if (j.dir == dir) return &j;
    return nullptr;
}

SweepPlan plan_sweep(const std::string& name, const std::string& recipe,
                     const std::vector<std::string>& fixed, const std::vector<Axis>& axes,
                     int64_t first_seed, int64_t seed_count, int64_t steps) {
    SweepPlan plan;
    plan.name = name;
    plan.recipe = recipe;
    plan.fixed = fixed;
    plan.axes = axes;
    for (int64_t s = 0; s < seed_count; ++s) plan.seeds.push_back(first_seed + s);

    // Every point of the product as one value index per axis; the last axis varies fastest.
    size_t total = 1;
    for (const Axis& a : axes) total *= a.values.size();
    std::vector<std::vector<size_t>> points;
    for (size_t p = 0; p < total; ++p) {
        std::vector<size_t> index(axes.size());
        size_t rest = p;
        for (size_t a = axes.size(); a-- > 0;) {
            index[a] = rest % axes[a].values.size();
            rest /= axes[a].values.size();
        }
        points.push_back(std::move(index));
    }

    std::set<std::string> taken;
    for (const std::vector<size_t>& point : points) {
        std::string configuration;
        std::vector<std::pair<std::string, std::string>> values;
        std::vector<std::string> overrides;
        for (size_t a = 0; a < axes.size(); ++a) {
            const std::string& text = axes[a].values[point[a]];
            values.emplace_back(axes[a].key, text);
            overrides.push_back(axes[a].key + "=" + text);
            std::string component = folder_component(axes[a].key, text);
            if (a + 1 == axes.size()) {
                const std::string base = configuration + component;
                std::string unique = base;
                for (int n = 2; taken.count(unique); ++n) unique = base + "~" + std::to_string(n);
                taken.insert(unique);
                component = unique.substr(configuration.size());
            }
            configuration += component + "/";
        }
        for (int64_t seed : plan.seeds) {
            SweepJob job;
            job.dir = configuration + "seed" + std::to_string(seed);
            job.values = values;
            job.seed = seed;
            job.overrides = overrides;
            job.overrides.push_back("run.seed=" + std::to_string(seed));
            job.steps = steps;
            plan.jobs.push_back(std::move(job));
        }
    }
    return plan;
}

}  // namespace idlab::host
