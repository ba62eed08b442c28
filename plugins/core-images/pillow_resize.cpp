#include "pillow_resize.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace idlab::images {

namespace {

double triangle(double x) {
    x = std::fabs(x);
    return x < 1.0 ? 1.0 - x : 0.0;
}

uint8_t clip8(int32_t acc) {
    const int32_t v = acc >> kResizePrecisionBits;
    return static_cast<uint8_t>(std::clamp<int32_t>(v, 0, 255));
}

}  // namespace

ResizeTaps bilinear_taps(int64_t n_in, int64_t n_out) {
    if (n_in < 1 || n_out < 1) throw std::invalid_argument("bilinear_taps: sizes must be positive");
    const double scale = static_cast<double>(n_in) / static_cast<double>(n_out);
    const double filter_scale = std::max(scale, 1.0);
    const double support = 1.0 * filter_scale;  // the triangle's own support is 1
    ResizeTaps t;
    t.max_taps = static_cast<int64_t>(std::ceil(support)) * 2 + 1;
    t.first.resize(static_cast<size_t>(n_out));
    t.count.resize(static_cast<size_t>(n_out));
    t.weights.assign(static_cast<size_t>(n_out * t.max_taps), 0);
    t.exact.assign(static_cast<size_t>(n_out * t.max_taps), 0.0);
    for (int64_t i = 0; i < n_out; ++i) {
        const double center = (static_cast<double>(i) + 0.5) * scale;
        const int64_t lo = std::max<int64_t>(static_cast<int64_t>(center - support + 0.5), 0);
        const int64_t hi = std::min<int64_t>(static_cast<int64_t>(center + support + 0.5), n_in);
        const int64_t n = hi - lo;
        double* w = &t.exact[static_cast<size_t>(i * t.max_taps)];
        double total = 0.0;
        for (int64_t k = 0; k < n; ++k) {
            w[k] = triangle((static_cast<double>(k + lo) - center + 0.5) / filter_scale);
            total += w[k];
        }
        for (int64_t k = 0; k < n; ++k) {
            if (total != 0.0) w[k] /= total;
            const double fixed = w[k] * static_cast<double>(1 << kResizePrecisionBits);
            t.weights[static_cast<size_t>(i * t.max_taps + k)] =
                static_cast<int32_t>(fixed < 0 ? fixed - 0.5 : fixed + 0.5);
        }
        t.first[static_cast<size_t>(i)] = lo;
        t.count[static_cast<size_t>(i)] = n;
    }
    return t;
}

BilinearResizer::BilinearResizer(int64_t in_height, int64_t in_width, int64_t out_height,
                                 int64_t out_width)
    : in_height_(in_height),
      in_width_(in_width),
      out_height_(out_height),
      out_width_(out_width),
      horizontal_(bilinear_taps(in_width, out_width)),
      vertical_(bilinear_taps(in_height, out_height)) {}

void BilinearResizer::resize(const ImageView& in, uint8_t* out) {
    if (in.height != in_height_ || in.width != in_width_)
        throw std::invalid_argument("BilinearResizer: the image size differs from the one it was made for");
    const int64_t channels = in.channels;
    const int32_t half = int32_t{1} << (kResizePrecisionBits - 1);
    scratch_.resize(static_cast<size_t>(in_height_ * out_width_ * channels));

    // Horizontal pass: every input row to out_width columns, rounded to uint8. The loop runs
    // down the rows innermost, which is contiguous (and vectorises) for column-major planes.
    // Accumulators are 32-bit as in Pillow: 255 * 2^22 + 2^21 < 2^31.
    accumulator_.resize(static_cast<size_t>(in_height_));
    int32_t* acc = accumulator_.data();
    for (int64_t ch = 0; ch < channels; ++ch) {
        const uint8_t* plane = in.data + ch * in.channel_stride;
        for (int64_t c = 0; c < out_width_; ++c) {
            const int64_t first = horizontal_.first[static_cast<size_t>(c)];
            const int64_t n = horizontal_.count[static_cast<size_t>(c)];
            const int32_t* w = &horizontal_.weights[static_cast<size_t>(c * horizontal_.max_taps)];
            for (int64_t r = 0; r < in_height_; ++r) acc[r] = half;
            for (int64_t k = 0; k < n; ++k) {
                const uint8_t* column = plane + (first + k) * in.col_stride;
                const int32_t weight = w[k];
                for (int64_t r = 0; r < in_height_; ++r) acc[r] += int32_t{column[r * in.row_stride]} * weight;
            }
            for (int64_t r = 0; r < in_height_; ++r)
                scratch_[static_cast<size_t>((r * out_width_ + c) * channels + ch)] = clip8(acc[r]);
        }
    }
    // Vertical pass on the uint8 intermediate.
    const int64_t row = out_width_ * channels;
    for (int64_t r = 0; r < out_height_; ++r) {
        const int64_t first = vertical_.first[static_cast<size_t>(r)];
        const int64_t n = vertical_.count[static_cast<size_t>(r)];
        const int32_t* w = &vertical_.weights[static_cast<size_t>(r * vertical_.max_taps)];
        for (int64_t j = 0; j < row; ++j) {
            int32_t sum = half;
            for (int64_t k = 0; k < n; ++k)
                sum += int32_t{scratch_[static_cast<size_t>((first + k) * row + j)]} * w[k];
            out[r * row + j] = clip8(sum);
        }
    }
}

}  // namespace idlab::images
