// Cars3D (Reed et al. 2015, "Deep Visual Analogy-Making"): 183 car models x 4 elevations x 24
// azimuths, rendered at 128x128 RGB, read as the DisLib loaders do and resized to 64x64.
//
// Two sources give the same ImageSet:
//  - the DisLib folder (data/cars of nips2015-analogy-data.tar.gz): list.txt names the objects,
//    one car_XXX_mesh per line, and each car_XXX_mesh.mat (MAT v5) holds `im`, uint8
//    [128, 128, 3, 24, 4] = (row, column, RGB, azimuth, elevation), column-major. The object
//    index is the line number in list.txt (from 0), as in the facebookresearch loader;
//  - an .npz in the layout that loader caches (cars3d_64x64.npz here): `images` uint8
//    [17568, 64, 64, 3], `factors` int64 [17568, 3], `factor_sizes` int64 [3].
// Image i has factors (elevation, azimuth, object_type) with
// i = (elevation * 24 + azimuth) * 183 + object_type (object fastest). The classification
// target is object_type.
#pragma once

#include "image_set.hpp"

#include <cstdint>
#include <string>

namespace idlab::images {

inline constexpr int64_t kCars3dSide = 64;  // the side of the resized images
inline constexpr const char* kCars3dFolderFormat =
    "the DisLib Cars3D folder: list.txt naming one car_XXX_mesh per line and a MAT v5 file "
    "car_XXX_mesh.mat for each, holding 'im', uint8 [128, 128, 3, 24, 4]";
inline constexpr const char* kCars3dNpzFormat =
    "a Cars3D .npz with 'images' uint8 [N, 64, 64, 3], 'factors' int64 [N, 3] and "
    "'factor_sizes' int64 [3]";

// Reads the folder and resizes every image to 64x64 like Pillow's BILINEAR resize. With
// max_objects >= 0 only the first max_objects lines of list.txt are read (quick checks);
// the object factor then has that many classes. `threads` <= 0 picks the hardware's count.
ImageSet read_cars3d_folder(const std::string& folder, int64_t max_objects = -1, int threads = 1);

// Reads the cached 64x64 .npz; the pixels stay in the inflated (or mapped) member.
ImageSet read_cars3d_npz(const std::string& path);

}  // namespace idlab::images
