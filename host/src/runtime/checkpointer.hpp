// Saving a run's state to a checkpoint file and writing it back: every trainable parameter
// (idlab.parameters/1) and state tensor (idlab.state/1) of every stage, read and written in
// place through tensor_copy.hpp, plus the trainer's counters (TrainingState).
#pragma once

#include "runtime/device_runtime.hpp"

#include "runtime/checkpoint_file.hpp"
#include "runtime/stages.hpp"
#include "runtime/training_state.hpp"

#include <idlab/plugin.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace idlab::host {

// A readable checkpoint made from another pipeline; `differences` says what differs, one
// difference a line.
struct CheckpointMismatch : std::runtime_error {
    CheckpointMismatch(const std::filesystem::path& file, std::vector<std::string> differences);
    std::filesystem::path file;
    std::vector<std::string> differences;
};

class Checkpointer {
public:
    // recipe: the canonical resolved recipe (recipe_fingerprint.hpp). device: the run's device,
    // which copies the tensors that live there (it outlives the checkpointer).
    Checkpointer(std::string recipe, DeviceRuntime& device);

    // Adds a stage with every parameter and state tensor it exposes now; for the optimizer,
    // call it after bind(). `may_hold_state`: false for stages the ABI makes stateless (data
    // draws from the counter-based RNG, metrics score what they are given), true otherwise.
    void add_stage(const InstanceHandle& handle, const std::string& version, bool may_hold_state);

    // Stages that may hold hidden state but do not expose idlab.state/1 (a plugin built
    // against ABI 1.1), as "optimizer 'x.y'": their checkpoints cannot bring a run back
    // exactly, so resume refuses them.
    const std::vector<std::string>& stages_without_state() const { return without_state_; }

    // Writes `file` atomically; returns its size in bytes.
    uint64_t save(const std::filesystem::path& file, const TrainingState& state);

    // Every way the checkpoint differs from this pipeline: recipe, stages, component ids and
    // versions, tensor names, dtypes and shapes, missing idlab.state/1. Empty: it fits.
    std::vector<std::string> differences(const LoadedCheckpoint& checkpoint) const;

    // Checks (throws CheckpointMismatch), writes every saved tensor back into its view, then
    // calls each stage's restored(ctx).
    void restore(const LoadedCheckpoint& checkpoint, const idlab_exec_ctx_t& ctx);

    // Bytes of every tensor a checkpoint holds.
    uint64_t tensor_bytes() const;

private:
    struct Tensor {
        CheckpointTensor desc;
        DLTensor view;
    };
    struct Stage {
        const InstanceHandle* handle;
        CheckpointStage desc;     // tensors without their views
        std::vector<Tensor> tensors;
    };
    std::string what(const Stage& stage, const CheckpointTensor& t) const;

    std::string recipe_;
    DeviceRuntime& device_;
    std::vector<Stage> stages_;
    std::vector<std::string> without_state_;
    std::vector<unsigned char> staging_;  // one tensor's contents on their way to the file
};

}  // namespace idlab::host
