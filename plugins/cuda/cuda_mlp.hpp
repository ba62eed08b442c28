// core.mlp on CUDA: the same encoder as the CPU's (plugins/core-encoders/mlp.hpp), same
// parameters, same initial values (taken from a CPU twin built with the same seed), with its
// parameters, gradients, batch-norm statistics and activations on the GPU:
//     hidden block = cuBLAS GEMM -> one fused kernel for bias + BatchNorm1d + LeakyReLU
//     output       = cuBLAS GEMM -> one kernel for the bias (and the optional row norm)
// The backward pass is one fused kernel per hidden block plus its two GEMMs. A training
// forward and a backward are each recorded into a CUDA graph on first use and replayed
// afterwards (graph_cache.hpp). The running statistics are state (idlab.state/1:
// "bn<i>.running_mean", "bn<i>.running_var").
#pragma once

#include "runtime/blas_handle.hpp"
#include "runtime/device_buffer.hpp"
#include "runtime/graph_cache.hpp"

#include <idlab/plugin.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace idlab::cuda {

class CudaMlp final : public idlab::Encoder {
public:
    static idlab::ComponentSpec spec();
    CudaMlp(const idlab::CreateContext& ctx, const idlab::Config& config);

    int64_t output_dim() const override { return out_dim_; }
    void forward(const idlab_exec_ctx_t& ctx, const DLTensor& x, DLTensor& features) override;
    void backward(const idlab_exec_ctx_t& ctx, const DLTensor& dfeatures, DLTensor* dx) override;

    // The graph caches, for tests that compare the recorded and the direct path.
    GraphCache& forward_graph() { return forward_graph_; }
    GraphCache& backward_graph() { return backward_graph_; }

private:
    struct Layer {
        int64_t in = 0, out = 0;
        DeviceBuffer<float> weight, bias, grad_weight, grad_bias;
        DeviceBuffer<float> gamma, beta, grad_gamma, grad_beta, running_mean, running_var;
        DeviceBuffer<float> mean, invstd, scale, shift;  // of the last training forward
        DeviceBuffer<float> pre, act;                    // [capacity, out]
    };

    void allocate_layer(Layer& layer, int64_t in, int64_t out, bool with_bn);
    void register_layer(Layer& layer, const std::string& name, const std::string& bn_name, size_t index);
    void ensure_train_capacity(int64_t batch);
    void ensure_eval_capacity(int64_t batch);
    void enqueue_forward_train(const float* x, int64_t batch, float* features, cudaStream_t stream);
    void enqueue_forward_eval(const float* x, int64_t batch, float* features, cudaStream_t stream);
    void enqueue_backward(const float* df, int64_t batch, float* dx, cudaStream_t stream);

    int64_t in_dim_ = 0, out_dim_ = 0, max_width_ = 0;
    bool batch_norm_ = true, normalize_output_ = false;
    float slope_ = 0.01f, momentum_ = 0.1f, eps_ = 1e-5f;
    DLDevice device_{kDLCUDA, 0};

    BlasHandle blas_;
    std::vector<Layer> layers_;
    Layer output_;

    int64_t train_capacity_ = 0, eval_capacity_ = 0;
    int64_t cached_batch_ = 0;               // batch of the last training forward (0: none)
    DeviceBuffer<float> input_;              // copy of x from the last training forward
    DeviceBuffer<float> out_pre_, out_norm_; // normalize_output: before the norm, the norms
    DeviceBuffer<float> grad_a_, grad_b_;    // ping-pong gradients [capacity, max_width]
    DeviceBuffer<float> eval_a_, eval_b_;    // ping-pong eval activations

    GraphCache forward_graph_{"core.mlp training forward"};
    GraphCache backward_graph_{"core.mlp backward"};
};

}  // namespace idlab::cuda
