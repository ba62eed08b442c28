#include "graph_cache.hpp"

#include "cuda_check.hpp"

#include <idlab/plugin.hpp>

#include <cstdlib>
#include <cstring>

namespace idlab::cuda {

bool graphs_enabled() {
    static const bool enabled = [] {
        const char* v = std::getenv("IDLAB_CUDA_GRAPHS");
        return !(v && (std::strcmp(v, "0") == 0 || std::strcmp(v, "off") == 0 ||
                       std::strcmp(v, "false") == 0));
    }();
    return enabled;
}

GraphCache::~GraphCache() { drop(); }

void GraphCache::drop() {
    if (exec_) cudaGraphExecDestroy(exec_);
    exec_ = nullptr;
}

bool GraphCache::record(cudaStream_t stream, const std::function<void()>& enqueue) {
    drop();
    check(cudaStreamBeginCapture(stream, cudaStreamCaptureModeThreadLocal), "cudaStreamBeginCapture");
    cudaGraph_t graph = nullptr;
    try {
        enqueue();
    } catch (...) {
        cudaStreamEndCapture(stream, &graph);  // leave the stream usable
        if (graph) cudaGraphDestroy(graph);
        cudaGetLastError();
        throw;
    }
    cudaError_t status = cudaStreamEndCapture(stream, &graph);
    if (status == cudaSuccess) status = cudaGraphInstantiateWithFlags(&exec_, graph, 0);  // CUDA 11.4+ and 12+
    if (graph) cudaGraphDestroy(graph);
    if (status != cudaSuccess) {
        cudaGetLastError();
        exec_ = nullptr;
        idlab::log(IDLAB_LOG_WARN, "idlab.cuda",
                   "recording " + what_ + " into a CUDA graph failed (" + error_text(status) +
                       "); launching its kernels one by one from now on");
        return false;
    }
    ++recordings_;
    return true;
}

void GraphCache::run(cudaStream_t stream, const Key& key, const std::function<void()>& enqueue) {
    if (disabled_ || !stream || !graphs_enabled()) {
        enqueue();
        return;
    }
    if (!exec_ || key != key_) {
        key_ = key;
        if (!record(stream, enqueue)) {
            disabled_ = true;
            enqueue();
            return;
        }
    }
    check(cudaGraphLaunch(exec_, stream), "cudaGraphLaunch (" + what_ + ")");
    ++replays_;
}

}  // namespace idlab::cuda
