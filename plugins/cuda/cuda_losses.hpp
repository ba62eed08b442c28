// core.cross_entropy and core.infonce on CUDA: the CPU losses' parameters and semantics
// (plugins/core-losses), computed by the fused kernels of kernels/cross_entropy_kernels.cuh and
// kernels/infonce_kernels.cuh for features up to 64 wide. Both write the mean loss into the
// host's device slot (idlab_exec_ctx_t.loss_out) when given one, so that no step waits for
// the GPU; without one they copy it back and wait.
#pragma once

#include "runtime/device_buffer.hpp"

#include <idlab/plugin.hpp>

#include <cuda_runtime_api.h>

#include <cstdint>
#include <string>
#include <vector>

namespace idlab::cuda {

// The widest features the fused kernels take.
constexpr int64_t kMaxFeatureWidth = 64;

// A loss's mean on the device and, when the host wants it back, a pinned host copy.
class LossValue {
public:
    LossValue();
    ~LossValue();
    LossValue(const LossValue&) = delete;
    LossValue& operator=(const LossValue&) = delete;
    // Where the mean goes: the host's slot, or our own device double.
    double* target(const idlab_exec_ctx_t& ctx);
    // The value forward() returns: NaN when it went to the host's slot (unused there), else
    // the mean, copied back after waiting for the stream.
    double result(const idlab_exec_ctx_t& ctx);

private:
    DeviceBuffer<double> own_;
    double* pinned_ = nullptr;
};

class CudaCrossEntropy final : public idlab::Loss {
public:
    static idlab::ComponentSpec spec();
    CudaCrossEntropy(const idlab::CreateContext& ctx, const idlab::Config& config);

    const std::vector<std::string>& inputs() const override { return inputs_; }
    bool writes_loss_out() const override { return true; }
    double forward(const idlab_exec_ctx_t& ctx, const DLTensor& features,
                   const idlab::TensorSet& inputs, DLTensor* dfeatures) override;

private:
    void ensure_capacity(int64_t batch);

    std::string target_;
    int64_t classes_ = 0, dim_ = 0;
    bool normalize_rows_ = false, normalize_features_ = false, learn_temperature_ = false;
    float smoothing_ = 0.0f;

    DeviceBuffer<float> head_, head_grad_;    // W and dL/dW [classes, dim]
    DeviceBuffer<float> beta_, beta_grad_;    // [1] each, on the device (trainable or fixed)
    DeviceBuffer<float> head_sum_;            // [dim], with label smoothing
    DeviceBuffer<double> beta_partials_;      // per block of classes, with learn_temperature
    int64_t capacity_ = 0;
    DeviceBuffer<double> row_loss_;           // [batch]
    DeviceBuffer<float> lse_;                 // [batch]
    DeviceBuffer<float> unit_features_, feature_norms_, unit_grad_;  // normalize_features
    LossValue loss_;
    std::vector<std::string> inputs_;
};

class CudaInfoNce final : public idlab::Loss {
public:
    static idlab::ComponentSpec spec();
    CudaInfoNce(const idlab::CreateContext& ctx, const idlab::Config& config);

    const std::vector<std::string>& inputs() const override { return inputs_; }
    const std::vector<std::string>& views() const override { return views_; }
    bool writes_loss_out() const override { return true; }
    double forward(const idlab_exec_ctx_t& ctx, const DLTensor& features,
                   const idlab::TensorSet& inputs, DLTensor* dfeatures) override;

private:
    bool distance_ = true;
    float temperature_ = 1.0f;
    int64_t dim_ = 0, capacity_ = 0;
    DeviceBuffer<double> row_loss_;
    DeviceBuffer<float> lse_;
    LossValue loss_;
    std::vector<std::string> inputs_;
    std::vector<std::string> views_{"x", "x_pos"};
};

}  // namespace idlab::cuda
