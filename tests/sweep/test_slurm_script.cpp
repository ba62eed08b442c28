// The job-array script the Slurm launcher submits (the real submission is slurm_test.sh).
#include "sweep/slurm_launcher.hpp"

#include "sweep_test_support.hpp"

using namespace idlab::host;
using namespace sweep_test;

TEST_CASE("the Slurm script maps each array task to one job of the sweep", "[sweep][slurm]") {
    const fs::path dir = scratch("slurm-script");
    std::vector<Axis> axes = {{"data.kappa", {"5.0", "50.0"}, false}};
    const SweepPlan plan = plan_sweep("fig 5/left", "r.toml", {}, axes, 0, 2, 100);
    SlurmOptions options;
    options.jobs = 3;
    options.cpus_per_task = 2;
    options.settings.idlab = "/opt/idlab/bin/idlab";
    options.settings.plugin_dirs = {"/opt/my plugins"};
    options.settings.threads = 2;
    options.sbatch_lines = {"--partition=cpu", "--time=1:00:00"};
    const std::string s = slurm_script(dir, plan, dir / "slurm" / "array-x.jobs", 4, options);
    const std::string abs = fs::absolute(dir).string();
    CHECK_THAT(s, Catch::StartsWith("#!/bin/bash\n"));
    CHECK_THAT(s, Catch::Contains("#SBATCH --job-name=idlab-fig_5_left\n"));
    CHECK_THAT(s, Catch::Contains("#SBATCH --array=0-3%3\n"));
    CHECK_THAT(s, Catch::Contains("#SBATCH --cpus-per-task=2\n"));
    CHECK_THAT(s, Catch::Contains("#SBATCH --output=" + abs + "/slurm/%A_%a.out\n"));
    CHECK_THAT(s, Catch::Contains("#SBATCH --partition=cpu\n#SBATCH --time=1:00:00\n"));
    CHECK_THAT(s, Catch::Contains("sed -n \"$((SLURM_ARRAY_TASK_ID + 1))p\" " + abs + "/slurm/array-x.jobs"));
    CHECK_THAT(s, Catch::Contains("exec /opt/idlab/bin/idlab sweep --run-job " + abs +
                                  " --job \"$job\" --threads 2 --plugin-path '/opt/my plugins' --log-level info\n"));
    // Every #SBATCH line comes before the first command, as sbatch requires.
    CHECK(s.rfind("#SBATCH") < s.find("set -euo pipefail"));

    options.jobs = 0;
    CHECK_THAT(slurm_script(dir, plan, dir / "slurm" / "array-x.jobs", 1, options), Catch::Contains("#SBATCH --array=0-0\n"));
}
