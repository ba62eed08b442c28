#include "im2col.hpp"

#include <algorithm>

namespace idlab::cnn {

namespace {

// The output positions o in [0, out_extent) whose input position o * stride + offset lies in
// [0, in_extent): a range [first, last), empty when first >= last.
struct ValidRange {
    int64_t first, last;
};

ValidRange valid_outputs(int64_t offset, int64_t stride, int64_t in_extent, int64_t out_extent) {
    const int64_t first = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
    const int64_t last = in_extent - offset <= 0 ? 0 : (in_extent - offset - 1) / stride + 1;
    ValidRange r{std::min(first, out_extent), std::min(last, out_extent)};
    if (r.last < r.first) r.last = r.first;
    return r;
}

}  // namespace

void im2col(const Window& w, const float* x, int64_t count, float* col) {
    const int64_t k = w.kernel, stride = w.stride, pad = w.padding;
    const int64_t in_h = w.in.height, in_w = w.in.width, in_plane = w.in.plane();
    const int64_t out_h = w.out.height, out_w = w.out.width, out_plane = w.out.plane();
    const int64_t columns = count * out_plane;
    for (int64_t c = 0; c < w.in.channels; ++c) {
        for (int64_t ki = 0; ki < k; ++ki) {
            for (int64_t kj = 0; kj < k; ++kj) {
                float* row = col + ((c * k + ki) * k + kj) * columns;
                const ValidRange xs = valid_outputs(kj - pad, stride, in_w, out_w);
                for (int64_t n = 0; n < count; ++n) {
                    const float* plane = x + (n * w.in.channels + c) * in_plane;
                    float* dst_plane = row + n * out_plane;
                    for (int64_t oy = 0; oy < out_h; ++oy) {
                        float* dst = dst_plane + oy * out_w;
                        const int64_t iy = oy * stride - pad + ki;
                        if (iy < 0 || iy >= in_h) {
                            std::fill(dst, dst + out_w, 0.0f);
                            continue;
                        }
                        // Input column of output ox: ox * stride + (kj - pad).
                        const float* src = plane + iy * in_w;
                        const int64_t offset = kj - pad;
                        std::fill(dst, dst + xs.first, 0.0f);
                        if (stride == 1) {
                            std::copy(src + xs.first + offset, src + xs.last + offset, dst + xs.first);
                        } else {
                            for (int64_t ox = xs.first; ox < xs.last; ++ox) dst[ox] = src[ox * stride + offset];
                        }
                        std::fill(dst + xs.last, dst + out_w, 0.0f);
                    }
                }
            }
        }
    }
}

void col2im_add(const Window& w, const float* col, int64_t count, float* dx) {
    const int64_t k = w.kernel, stride = w.stride, pad = w.padding;
    const int64_t in_h = w.in.height, in_w = w.in.width, in_plane = w.in.plane();
    const int64_t out_h = w.out.height, out_w = w.out.width, out_plane = w.out.plane();
    const int64_t columns = count * out_plane;
    for (int64_t c = 0; c < w.in.channels; ++c) {
        for (int64_t ki = 0; ki < k; ++ki) {
            for (int64_t kj = 0; kj < k; ++kj) {
                const float* row = col + ((c * k + ki) * k + kj) * columns;
                const ValidRange xs = valid_outputs(kj - pad, stride, in_w, out_w);
                for (int64_t n = 0; n < count; ++n) {
                    float* plane = dx + (n * w.in.channels + c) * in_plane;
                    const float* src_plane = row + n * out_plane;
                    for (int64_t oy = 0; oy < out_h; ++oy) {
                        const int64_t iy = oy * stride - pad + ki;
                        if (iy < 0 || iy >= in_h) continue;
                        const float* src = src_plane + oy * out_w;
                        float* dst = plane + iy * in_w;
                        const int64_t offset = kj - pad;
                        for (int64_t ox = xs.first; ox < xs.last; ++ox) dst[ox * stride + offset] += src[ox];
                    }
                }
            }
        }
    }
}

}  // namespace idlab::cnn
