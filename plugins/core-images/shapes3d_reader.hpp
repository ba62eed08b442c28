// Shapes3D (Burgess and Kim 2018) from its official file, 3dshapes.h5
// (../shared/reference/datasets.md §3), through libhdf5:
//   images  uint8 [480000, 64, 64, 3]   (chunked and gzip-compressed)
//   labels  float64 [480000, 6]: floor hue, wall hue, object hue, scale, shape, orientation
// Factors under csi's names: floorCol, wallCol, objCol, objSize, objType, objAzimuth, as class
// indices (factor_classes.hpp); the classification target is objType (4 shapes). Compressed
// images are decoded once into the cache folder and mapped from there; a contiguous,
// uncompressed dataset is mapped in place.
#pragma once

#include "image_set.hpp"

#include <string>

namespace idlab::images {

inline constexpr const char* kShapes3dFormat =
    "the official Shapes3D HDF5 file (3dshapes.h5): dataset 'images' uint8 [N, 64, 64, 3] and 'labels' "
    "float64 [N, 6]";

ImageSet read_shapes3d_h5(const std::string& path, const std::string& cache_dir);

}  // namespace idlab::images
