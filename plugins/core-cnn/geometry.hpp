// Shapes of the CNN's activations (NCHW, one sample: C x H x W) and of its convolution and
// pooling windows, with PyTorch's output-size rule.
#pragma once

#include <cstdint>

namespace idlab::cnn {

// One sample's feature map, stored channel-major: element (c, row, col) at c*H*W + row*W + col.
struct FeatureShape {
    int64_t channels = 0, height = 0, width = 0;
    int64_t plane() const { return height * width; }
    int64_t size() const { return channels * height * width; }
};

// floor((in + 2 * padding - kernel) / stride) + 1, as torch.nn.Conv2d and MaxPool2d compute it.
inline int64_t window_output_extent(int64_t in, int64_t kernel, int64_t stride, int64_t padding) {
    return (in + 2 * padding - kernel) / stride + 1;
}

// A square kernel sliding over `in` with the same stride and zero padding on both axes.
struct Window {
    FeatureShape in, out;
    int64_t kernel = 1, stride = 1, padding = 0;

    static Window make(FeatureShape in, int64_t out_channels, int64_t kernel, int64_t stride,
                       int64_t padding) {
        Window w;
        w.in = in;
        w.kernel = kernel;
        w.stride = stride;
        w.padding = padding;
        w.out.channels = out_channels;
        w.out.height = window_output_extent(in.height, kernel, stride, padding);
        w.out.width = window_output_extent(in.width, kernel, stride, padding);
        return w;
    }
    // Length of one unfolded patch: in.channels * kernel * kernel.
    int64_t patch() const { return in.channels * kernel * kernel; }
};

}  // namespace idlab::cnn
