// progress.json in the run folder: a few numbers rewritten every few seconds while a run
// trains, so that `idlab sweep --status` can show running jobs' progress and an ETA without
// talking to them. Written atomically (temporary file, then rename); no allocation per write.
//   {"state": "running", "step": 1200, "total": 3000, "first_step": 1,
//    "steps_per_second": 181.5, "elapsed": 6.6, "pid": 4242, "host": "node1", "updated": 1767000000}
// "state" becomes "completed", "failed" or "interrupted" when the run ends (the same word as
// summary.json's "status"); "first_step" is the first step this process trained (1, or the
// checkpoint's step + 1 after --resume); "elapsed" counts this process's training seconds.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>

namespace idlab::host {

class ProgressFile {
public:
    // Writes the file at once (step 0): the run has its folder.
    ProgressFile(const std::filesystem::path& file, int64_t total_steps);
    // Records a step: writes the file at the first step and whenever kIntervalSeconds have
    // passed since the last write; otherwise cheap.
    void step(int64_t steps_done);
    // The final state: "completed", "failed" or "interrupted".
    void finish(const char* state);

    static constexpr double kIntervalSeconds = 2.0;

private:
    void write(const char* state);
    using Clock = std::chrono::steady_clock;
    std::string file_, tmp_, host_;
    int64_t total_;
    int64_t step_ = 0, first_step_ = 0;
    Clock::time_point start_, first_at_, last_write_;
    bool failed_ = false;  // a write failed once: stop trying, the run matters more
};

}  // namespace idlab::host
