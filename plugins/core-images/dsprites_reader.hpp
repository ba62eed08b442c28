// dSprites (Matthey et al. 2017) from its official file,
// dsprites_ndarray_co1sh3sc6or40x32y32_64x64.npz (../shared/reference/datasets.md §2.1): an
// .npz whose members are deflate-compressed,
//   imgs             uint8 [737280, 64, 64], pixels 0 or 1
//   latents_classes  int64 [737280, 6]: color, shape, scale, orientation, posX, posY
//   latents_values   float64 [737280, 6] (not needed: the classes determine them)
//   metadata         a pickled Python dict (object array), skipped
// Factors as csi's loader uses them: shape, scale, orientation, posX, posY (color, a single
// value, is dropped); the classification target is shape. The 3.0 GB of images are inflated
// once into the cache folder and mapped from there (data_cache.hpp).
#pragma once

#include "image_set.hpp"

#include <string>

namespace idlab::images {

inline constexpr const char* kDspritesFormat =
    "the official dSprites .npz (dsprites_ndarray_co1sh3sc6or40x32y32_64x64.npz): 'imgs' uint8 [N, 64, 64] "
    "and 'latents_classes' int64 [N, 6]";

ImageSet read_dsprites_npz(const std::string& path, const std::string& cache_dir);

}  // namespace idlab::images
