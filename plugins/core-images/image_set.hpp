// A labelled image dataset held in memory: uint8 pixels [count, height, width, channels]
// (row-major, HWC) and, per image, the class index of every factor of variation. Readers
// fill it; the data components sample mini-batches from it without copying the set.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace idlab::images {

struct ImageSet {
    int64_t count = 0;
    int64_t height = 0;
    int64_t width = 0;
    int64_t channels = 0;
    // count * height * width * channels bytes; `pixel_owner` keeps them alive (a buffer, an
    // inflated .npz member or a memory-mapped file).
    const uint8_t* pixels = nullptr;
    std::shared_ptr<const void> pixel_owner;

    std::vector<std::string> factor_names;
    std::vector<int64_t> factor_sizes;
    // [count, factors]: factor_classes[i * factors + f] in [0, factor_sizes[f]).
    std::vector<int64_t> factor_classes;
    // The categorical factor a classifier is trained on (an index into factor_names).
    int64_t target_factor = 0;

    int64_t image_bytes() const { return height * width * channels; }
    int64_t factor_count() const { return static_cast<int64_t>(factor_names.size()); }
    const uint8_t* image(int64_t i) const { return pixels + i * image_bytes(); }
    int64_t factor_class(int64_t i, int64_t f) const { return factor_classes[static_cast<size_t>(i * factor_count() + f)]; }
};

}  // namespace idlab::images
