// torch.nn.BatchNorm2d on NCHW float32 batches: per channel, statistics over (batch, H, W).
// Train mode normalises with the batch mean and biased variance and moves the running
// estimates by `momentum` towards the batch mean and unbiased variance; eval mode normalises
// with the running estimates. Sums run in double.
#pragma once

#include <cstdint>
#include <vector>

namespace idlab::cnn {

class BatchNorm2d {
public:
    BatchNorm2d(int64_t channels, float momentum, float eps);

    int64_t channels() const { return static_cast<int64_t>(gamma.size()); }

    // h, y: [batch, channels, plane]. Needs batch * plane >= 2. Remembers the batch mean and
    // 1/std for backward(). y must not overlap h.
    void forward_train(const float* h, int64_t batch, int64_t plane, float* y);

    // With the running statistics. y may be h (in place).
    void forward_eval(const float* h, int64_t batch, int64_t plane, float* y) const;

    // g holds dL/dy on entry and dL/dh on exit; h is the input of the last forward_train().
    // Overwrites grad_gamma and grad_beta.
    void backward(const float* h, float* g, int64_t batch, int64_t plane);

    std::vector<float> gamma, beta, grad_gamma, grad_beta;  // weight 1 and bias 0 at creation
    std::vector<float> running_mean, running_var;           // 0 and 1 at creation

private:
    float momentum_, eps_;
    std::vector<float> batch_mean_, batch_invstd_;
};

}  // namespace idlab::cnn
