// The checkpoint file (checkpoint.ckpt, best.ckpt): everything a run needs to go on from a step
// boundary, in one self-checking binary file. Layout (integers little-endian):
//
//   offset 0   8 bytes  magic "IDLABCKP"
//          8   u32      format version (kCheckpointFormatVersion)
//         12   u32      reserved, 0
//         16   u64      B, the length of the body
//         24   B bytes  body
//     24 + B   u32      zlib crc32 of bytes [0, 24 + B)
//
// Body: str = u32 length + UTF-8 bytes; values = u32 count, then (str name, f64 value) each.
//   str     writer            "idlab 0.1.0"
//   str     recipe            the canonical resolved recipe (recipe_fingerprint.hpp)
//   i64 step, u64 eval_index, f64 loss_sum, i64 loss_count   the trainer's counters
//   u8 finished, u8 stopped_early, i64 best                  (best: evaluation index or -1)
//   f64 seconds, f64 train_seconds, f64 checkpoint_seconds   timings so far
//   values  baseline
//   u32     evaluations, each: i64 step, f64 loss, values
//   u32     stages, each: str stage ("encoder", "metrics[0]"), str component id, str component
//           version, u8 has_state (1: it exposes idlab.state/1), u32 tensors, each:
//           u8 role (1 parameter, 2 state), str name, u8 dtype (idlab_dtype_t), u32 ndim,
//           i64 extent x ndim, u64 byte count, the bytes (row-major, little-endian)
//
// Reading checks the frame before anything else (magic, version, length, checksum), so a file
// that is cut short, damaged or not a checkpoint is reported, never half loaded.
#pragma once

#include "runtime/training_state.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace idlab::host {

inline constexpr char kCheckpointMagic[8] = {'I', 'D', 'L', 'A', 'B', 'C', 'K', 'P'};
inline constexpr uint32_t kCheckpointFormatVersion = 1;
inline constexpr uint64_t kCheckpointFrameBytes = 28;  // header (24) and checksum (4)

enum class TensorRole : uint8_t { parameter = 1, state = 2 };
const char* role_name(TensorRole role);  // "parameter", "state tensor"

struct CheckpointTensor {
    TensorRole role = TensorRole::parameter;
    std::string name;
    int32_t dtype = 0;            // idlab_dtype_t
    std::vector<int64_t> shape;
    uint64_t bytes = 0;           // size of the contents
    uint64_t offset = 0;          // reading: where the contents lie in the file
};

struct CheckpointStage {
    std::string stage;            // "data", "encoder", "loss", "optimizer", "metrics[0]"
    std::string component;        // "core.mlp"
    std::string version;          // the component's version
    bool has_state = false;       // whether it exposes idlab.state/1
    std::vector<CheckpointTensor> tensors;
};

struct CheckpointContents {
    std::string writer;
    std::string recipe;
    TrainingState state;
    std::vector<CheckpointStage> stages;
};

// A file that is not a readable checkpoint; what() is "<file>: <problem>".
struct CheckpointError : std::runtime_error {
    CheckpointError(const std::filesystem::path& file, const std::string& problem);
    std::filesystem::path file;
    std::string problem;
};

// Fills `host` with the contents of tensor `tensor` of stage `stage` (its `bytes` bytes).
using TensorSource = std::function<void(size_t stage, size_t tensor, void* host)>;

// Writes the checkpoint atomically (temporary file, fsync, rename, fsync of the folder), reading
// each tensor through `source` into `staging` (grown to the largest tensor). Returns the file
// size. Throws std::runtime_error when the file cannot be written; the old file then stays.
uint64_t write_checkpoint(const std::filesystem::path& file, const CheckpointContents& contents,
                          const TensorSource& source, std::vector<unsigned char>& staging);

struct LoadedCheckpoint {
    std::filesystem::path file;
    CheckpointContents contents;
    std::vector<unsigned char> bytes;  // the whole file
    const unsigned char* data(const CheckpointTensor& t) const { return bytes.data() + t.offset; }
};

// Reads and checks a checkpoint; throws CheckpointError saying what is wrong with it.
LoadedCheckpoint read_checkpoint(const std::filesystem::path& file);

}  // namespace idlab::host
