// Pooling on NCHW float32 batches: torch.nn.MaxPool2d (square window, implicit -inf padding)
// and global average pooling (AdaptiveAvgPool2d(1) followed by flatten).
#pragma once

#include "geometry.hpp"

#include <cstdint>

namespace idlab::cnn {

// y [batch, C, OH, OW] = max over each window of x [batch, C, H, W]. When argmax is not null it
// receives, per output, the index within its input plane of the maximum (the first one in
// scan order on ties, as PyTorch). Requires w.padding <= w.kernel / 2 and w.out.channels ==
// w.in.channels.
void max_pool_forward(const Window& w, const float* x, int64_t batch, float* y, int32_t* argmax);

// dx [batch, C, H, W] = dy routed to each window's maximum (overwrites dx).
void max_pool_backward(const Window& w, const float* dy, const int32_t* argmax, int64_t batch,
                       float* dx);

// y [batch, C] = mean over the plane of x [batch, C, H, W].
void global_average_pool(const FeatureShape& shape, const float* x, int64_t batch, float* y);

// dx [batch, C, H, W] = dy [batch, C] / (H * W) at every position (overwrites dx).
void global_average_pool_backward(const FeatureShape& shape, const float* dy, int64_t batch,
                                  float* dx);

}  // namespace idlab::cnn
