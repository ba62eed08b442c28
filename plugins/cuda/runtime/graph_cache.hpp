// Launch overhead, not arithmetic, bounds the paper's small MLP on a GPU: a training forward
// and backward are some forty kernels and GEMMs of a few microseconds each. A GraphCache
// records such a sequence once into a CUDA graph and replays it with one launch whenever the
// same sequence (same key: pointers and sizes) comes again; a different key records anew. The
// graph holds the very kernels the direct path launches, in the same order, so both give the
// same bits.
//
// Graphs are used unless the environment sets IDLAB_CUDA_GRAPHS=0 (or "off"), and only on a
// stream the caller created (capture is not possible on the legacy default stream). A capture
// that fails turns graphs off for that cache, with one warning, and the work runs directly.
#pragma once

#include <cuda_runtime_api.h>

#include <array>
#include <cstdint>
#include <functional>
#include <string>

namespace idlab::cuda {

// Whether IDLAB_CUDA_GRAPHS allows graphs (read once).
bool graphs_enabled();

class GraphCache {
public:
    using Key = std::array<uintptr_t, 6>;

    explicit GraphCache(std::string what) : what_(std::move(what)) {}
    ~GraphCache();
    GraphCache(const GraphCache&) = delete;
    GraphCache& operator=(const GraphCache&) = delete;

    // Runs `enqueue` (which only enqueues work on `stream`): by replaying the graph recorded
    // for `key`, by recording it now, or directly.
    void run(cudaStream_t stream, const Key& key, const std::function<void()>& enqueue);

    // Graph launches and recordings so far (for tests).
    int64_t replays() const { return replays_; }
    int64_t recordings() const { return recordings_; }
    // Forces the direct path (tests compare both).
    void disable() { disabled_ = true; drop(); }

private:
    void drop();
    bool record(cudaStream_t stream, const std::function<void()>& enqueue);

    std::string what_;
    cudaGraphExec_t exec_ = nullptr;
    Key key_{};
    bool disabled_ = false;
    int64_t replays_ = 0, recordings_ = 0;
};

}  // namespace idlab::cuda
