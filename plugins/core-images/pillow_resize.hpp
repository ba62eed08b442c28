// Image resizing that reproduces Pillow's Image.resize(size, Image.BILINEAR) bit for bit on
// 8-bit images (what torchvision's resize does to a PIL image, and so what the DisLib loaders
// did to Cars3D and SmallNORB). Rules, from ../shared/reference/datasets.md §1.4:
//  - separable triangle filter whose support grows with the downscale factor (antialiasing):
//    scale = n_in / n_out, support = max(scale, 1); for output i, centre = (i + 0.5) * scale,
//    taps x in [max(int(centre - support + 0.5), 0), min(int(centre + support + 0.5), n_in)),
//    weight = max(0, 1 - |(x - centre + 0.5) / max(scale, 1)|), normalised to sum 1;
//  - weights in fixed point with 22 fractional bits, rounded half away from zero;
//    out = clamp((2^21 + sum pixel * weight) >> 22, 0, 255);
//  - the horizontal pass first, rounded to uint8, then the vertical pass on that result.
#pragma once

#include <cstdint>
#include <vector>

namespace idlab::images {

// The taps of one axis: output i reads inputs first[i] .. first[i] + count[i] - 1 with the
// fixed-point weights weights[i * max_taps + k].
struct ResizeTaps {
    int64_t max_taps = 0;
    std::vector<int64_t> first;
    std::vector<int64_t> count;
    std::vector<int32_t> weights;
    std::vector<double> exact;  // the normalised weights before rounding (for tests)
};

constexpr int kResizePrecisionBits = 22;

ResizeTaps bilinear_taps(int64_t n_in, int64_t n_out);

// Where the source pixels are: pixel (row, col, channel) is at
// data[row * row_stride + col * col_stride + channel * channel_stride]. This reads the
// column-major planes of a MAT file and the row-major images of an .npy alike.
struct ImageView {
    const uint8_t* data = nullptr;
    int64_t height = 0, width = 0, channels = 0;
    int64_t row_stride = 0, col_stride = 0, channel_stride = 0;
};

// Resizes one image. Keep one per thread: it caches the taps and a scratch buffer.
class BilinearResizer {
public:
    BilinearResizer(int64_t in_height, int64_t in_width, int64_t out_height, int64_t out_width);
    // Writes the out_height x out_width x channels result, row-major (HWC), to `out`.
    void resize(const ImageView& in, uint8_t* out);

private:
    int64_t in_height_, in_width_, out_height_, out_width_;
    ResizeTaps horizontal_, vertical_;
    std::vector<uint8_t> scratch_;      // in_height x out_width x channels, after the first pass
    std::vector<int32_t> accumulator_;  // one output column of the first pass
};

}  // namespace idlab::images
