// The training loop, generic over components: sample -> encode -> loss and gradients ->
// backward -> optimizer step, with evaluation on fresh samples every train.eval_every steps.
// Every buffer is allocated before the first step; the loop itself allocates nothing.
#pragma once

#include "recipe/recipe.hpp"
#include "runtime/evaluation.hpp"
#include "runtime/device_runtime.hpp"
#include "runtime/host_mirrors.hpp"
#include "runtime/loss_tracker.hpp"
#include "runtime/stages.hpp"
#include "runtime/tensor_buffer.hpp"
#include "runtime/train_protocol.hpp"
#include "runtime/training_state.hpp"

#include <idlab/plugin.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace idlab::host {

class Checkpointer;
class Progress;
struct LoadedCheckpoint;

// The components do not fit together (a field the loss needs is missing, ...).
struct WiringError : std::runtime_error {
    WiringError(SourceLocation where_, std::string message)
        : std::runtime_error(std::move(message)), where(std::move(where_)) {}
    SourceLocation where;
};

struct RunSummary {
    int64_t steps = 0;         // optimizer steps taken
    double seconds = 0.0;      // wall time of the loop, evaluations included (every part of a resumed run)
    double train_seconds = 0.0;  // wall time of the training steps alone
    double checkpoint_seconds = 0.0;  // wall time spent writing checkpoints
    bool interrupted = false;
    bool stopped_early = false;  // train.stop_metric exceeded train.stop_above
    NamedValues baseline;      // metrics with the raw observations x as features
    // Every evaluation; after an interruption the last one scores the steps since the last
    // scheduled evaluation (it is not in the checkpoint: a resumed run drops it).
    std::vector<Evaluation> evaluations;
    std::optional<Evaluation> best;  // train.keep_best: the best scheduled evaluation
};

// A run rebuilt from a TrainingState without training (a completed run's checkpoint).
RunSummary summary_of(const TrainingState& state);

class Trainer {
public:
    // `device` serves run.device when that is not "cpu" (Registry::find_device); the run's
    // tensors live there, and only what metrics read is copied to the CPU, at evaluation time.
    Trainer(const Recipe& recipe, const idlab_host_t* host, const idlab_device_i* device = nullptr);
    ~Trainer();

    // Runs the loop. on_evaluation is called after each evaluation (for metrics.jsonl).
    RunSummary run(Progress& progress, const std::function<void(const Evaluation&)>& on_evaluation);

    const std::vector<std::string>& value_names() const { return value_names_; }

    // Where the run saves its checkpoints (checkpoint.ckpt every train.checkpoint_every steps,
    // at SIGINT/SIGTERM and at the end; best.ckpt for train.keep_best). Unset: none are saved.
    void set_checkpoint_files(std::filesystem::path checkpoint, std::filesystem::path best);
    // Writes the checkpoint's parameters and state tensors back into the components and takes
    // its counters, so that run() goes on from its step. Throws CheckpointMismatch (naming every
    // difference) when it was made from another pipeline.
    void resume(const LoadedCheckpoint& checkpoint);
    // The step run() starts from (0, or the resumed checkpoint's).
    int64_t first_step() const { return state_.step; }

private:
    struct FieldBuffers {
        std::vector<TensorBuffer> buffers;
        std::vector<idlab_named_tensor_t> items;  // views of buffers, same order as fields
        idlab_tensor_set_t set{};
        void allocate(const std::vector<idlab_field_desc_t>& fields, int64_t rows,
                      DeviceRuntime& device);
        TensorBuffer* find(const std::string& name);
    };

    // Contexts of data, encoder, loss and optimizer calls: the run's device and stream.
    idlab_exec_ctx_t context(bool training, uint64_t stream, uint64_t counter, int64_t step) const;
    // After a scheduled evaluation: keep_best (best.ckpt) and early stopping.
    void after_evaluation();
    // Saves checkpoint.ckpt (or `file`) from the current state; timings are updated first.
    void save_checkpoint(const std::filesystem::path& file);
    // Contexts of metric calls: always the CPU.
    idlab_exec_ctx_t metric_context(uint64_t eval_index, int64_t step) const;
    NamedValues evaluate(int64_t step, uint64_t eval_index, bool baseline);
    // The loss's inputs: views of `fields` (on the run's device).
    void build_input_set(const std::vector<std::string>& names, FieldBuffers& fields,
                         std::vector<idlab_named_tensor_t>& items, idlab_tensor_set_t& set);
    // A metric's inputs: CPU views (mirrors of device tensors) of the evaluation fields, of
    // `features` as "features" and of the stage tensors.
    void build_metric_inputs(const std::vector<std::string>& names, TensorBuffer& features,
                             HostMirrors& mirrors, std::vector<idlab_named_tensor_t>& items,
                             idlab_tensor_set_t& set);

    // First: it outlives every buffer and instance below (they may hold its memory).
    std::unique_ptr<DeviceRuntime> device_;
    const Recipe& recipe_;
    const idlab_host_t* host_;
    int64_t seed_ = 0, steps_ = 0, batch_ = 0, eval_every_ = 0, eval_samples_ = 0;
    uint32_t threads_ = 1;  // run.threads, 0 resolved to the machine's cores

    std::unique_ptr<DataStage> data_;
    std::unique_ptr<EncoderStage> encoder_;
    std::unique_ptr<LossStage> loss_;
    std::unique_ptr<OptimizerStage> optimizer_;
    std::vector<std::unique_ptr<MetricStage>> metrics_;
    std::vector<idlab_field_desc_t> fields_;
    std::vector<std::string> value_names_;

    FieldBuffers train_, eval_;
    // The loss's views (fields the encoder encodes, stacked along the batch); when there is more
    // than "x", `stacked_` holds them one after the other.
    std::vector<std::string> views_;
    TensorBuffer stacked_;
    // Named tensors of the stages that metrics may read: "data.cluster_vectors", "loss.head.weight".
    std::vector<std::pair<std::string, DLTensor>> stage_tensors_;
    TensorBuffer features_, dfeatures_, eval_features_;
    std::vector<idlab_named_tensor_t> loss_items_;
    idlab_tensor_set_t loss_inputs_{};
    std::vector<std::vector<idlab_named_tensor_t>> metric_items_, baseline_items_;
    std::vector<idlab_tensor_set_t> metric_inputs_, baseline_inputs_;
    std::vector<double> values_;

    // Checkpoints and the training protocol (checkpoint_every, keep_best, stop_metric).
    TrainProtocol protocol_;
    TrainingState state_;
    bool resumed_ = false;
    std::unique_ptr<Checkpointer> checkpointer_;
    std::filesystem::path checkpoint_file_, best_file_;
    // Wall time of the current part of the run, added to what a resumed checkpoint had.
    double seconds_before_ = 0.0, train_seconds_before_ = 0.0;
    std::chrono::steady_clock::time_point started_{};
    double segment_train_seconds_ = 0.0;
    // CPU copies of what the metrics read, for trained features and for the baseline (x).
    std::unique_ptr<HostMirrors> mirrors_, baseline_mirrors_;
    std::unique_ptr<LossTracker> losses_;
};

}  // namespace idlab::host
