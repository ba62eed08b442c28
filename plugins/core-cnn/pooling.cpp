#include "pooling.hpp"

#include <algorithm>
#include <cmath>

namespace idlab::cnn {

void max_pool_forward(const Window& w, const float* x, int64_t batch, float* y, int32_t* argmax) {
    const int64_t in_h = w.in.height, in_w = w.in.width, in_plane = w.in.plane();
    const int64_t out_h = w.out.height, out_w = w.out.width, out_plane = w.out.plane();
    for (int64_t plane_index = 0; plane_index < batch * w.in.channels; ++plane_index) {
        const float* in = x + plane_index * in_plane;
        float* out = y + plane_index * out_plane;
        int32_t* arg = argmax ? argmax + plane_index * out_plane : nullptr;
        for (int64_t oy = 0; oy < out_h; ++oy) {
            const int64_t y0 = oy * w.stride - w.padding;
            const int64_t y_first = std::max<int64_t>(y0, 0), y_last = std::min(y0 + w.kernel, in_h);
            for (int64_t ox = 0; ox < out_w; ++ox) {
                const int64_t x0 = ox * w.stride - w.padding;
                const int64_t x_first = std::max<int64_t>(x0, 0), x_last = std::min(x0 + w.kernel, in_w);
                int64_t best_index = y_first * in_w + x_first;
                float best = in[best_index];
                for (int64_t iy = y_first; iy < y_last; ++iy)
                    for (int64_t ix = x_first; ix < x_last; ++ix) {
                        const float v = in[iy * in_w + ix];
                        if (v > best || std::isnan(v)) {
                            best = v;
                            best_index = iy * in_w + ix;
                        }
                    }
                out[oy * out_w + ox] = best;
                if (arg) arg[oy * out_w + ox] = static_cast<int32_t>(best_index);
            }
        }
    }
}

void max_pool_backward(const Window& w, const float* dy, const int32_t* argmax, int64_t batch,
                       float* dx) {
    const int64_t in_plane = w.in.plane(), out_plane = w.out.plane();
    std::fill(dx, dx + batch * w.in.channels * in_plane, 0.0f);
    for (int64_t plane_index = 0; plane_index < batch * w.in.channels; ++plane_index) {
        const float* g = dy + plane_index * out_plane;
        const int32_t* arg = argmax + plane_index * out_plane;
        float* d = dx + plane_index * in_plane;
        for (int64_t o = 0; o < out_plane; ++o) d[arg[o]] += g[o];
    }
}

void global_average_pool(const FeatureShape& shape, const float* x, int64_t batch, float* y) {
    const int64_t plane = shape.plane();
    for (int64_t plane_index = 0; plane_index < batch * shape.channels; ++plane_index) {
        const float* p = x + plane_index * plane;
        double sum = 0.0;
        for (int64_t i = 0; i < plane; ++i) sum += p[i];
        y[plane_index] = static_cast<float>(sum / static_cast<double>(plane));
    }
}

void global_average_pool_backward(const FeatureShape& shape, const float* dy, int64_t batch,
                                  float* dx) {
    const int64_t plane = shape.plane();
    const float inv_plane = 1.0f / static_cast<float>(plane);
    for (int64_t plane_index = 0; plane_index < batch * shape.channels; ++plane_index) {
        float* p = dx + plane_index * plane;
        std::fill(p, p + plane, dy[plane_index] * inv_plane);
    }
}

}  // namespace idlab::cnn
