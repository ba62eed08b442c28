// A linear head on narrow features (few feature dimensions, many classes), one sample at a time.
// With dim ~ 5 the three products of the head, scores = f W^T, dW = G^T f and df = G W, have an
// inner dimension of 5 or a thin output, shapes on which a BLAS GEMM runs far below its peak and
// streams the whole [batch, classes] score matrix through memory three times. Here each sample's
// row of scores is made, turned into gradients and consumed while it is still in the L1 cache,
// with the head held transposed, wt = W^T [dim, classes], so every loop runs along the classes.
#pragma once

#include <cstdint>

namespace idlab::core {

// The widest features the per-sample kernels are used for; wider ones go through GEMMs. Measured
// with bench/loss_step at 1000 classes (AVX2 build, AMD EPYC): these kernels are ahead up to
// dim 7, the GEMMs from dim 8 on.
inline constexpr int64_t kNarrowHeadMaxDim = 7;

// The samples the group kernels below take at once. One pass over W^T (and dW^T) then serves
// that many rows of scores, which is what bounds these loops: per sample, the head and its
// gradient (2 x 20 kB at 1000 classes and dim 5) do not fit the L1 cache next to the row.
inline constexpr int64_t kNarrowHeadGroup = 4;

// wt[c * classes + j] = w[j * dim + c].
void transpose(const float* w, int64_t rows, int64_t cols, float* wt);

// scores[j] = sum_c f[c] wt[c, j] for the classes j of one sample with features f [dim].
void narrow_head_scores(const float* wt, int64_t classes, int64_t dim, const float* f,
                        float* scores);

// Given g [classes] = d loss / d scores of the sample with features f: adds the sample's part of
// d loss / d W^T, dwt[c, j] += f[c] g[j], and writes df[c] = df_scale * sum_j g[j] wt[c, j].
void narrow_head_backward(const float* wt, int64_t classes, int64_t dim, const float* f,
                          const float* g, float df_scale, float* dwt, float* df);

// narrow_head_scores for kNarrowHeadGroup samples at once: sample r has features
// f[r * dim .. r * dim + dim) and its scores go to scores[r * stride ..]. Each row comes out
// bit for bit as narrow_head_scores would make it.
void narrow_head_scores_group(const float* wt, int64_t classes, int64_t dim, const float* f,
                              float* scores, int64_t stride);

// narrow_head_backward for kNarrowHeadGroup samples at once, laid out as in
// narrow_head_scores_group (g[r * stride ..] for sample r, df[r * dim ..]). The result is bit
// for bit that of calling narrow_head_backward for the samples in order: dwt adds the samples'
// terms one after the other, in the same order.
void narrow_head_backward_group(const float* wt, int64_t classes, int64_t dim, const float* f,
                                const float* g, int64_t stride, float df_scale, float* dwt,
                                float* df);

}  // namespace idlab::core
