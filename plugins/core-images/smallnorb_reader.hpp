// small NORB (LeCun, Huang and Bottou 2004) from NYU's six files in one folder
// (../shared/reference/datasets.md §5), uncompressed:
//   smallnorb-5x46789x9x18x6x2x96x96-training-{dat,cat,info}.mat
//   smallnorb-5x01235x9x18x6x2x96x96-testing-{dat,cat,info}.mat
// in NYU's binary matrix format (binary_matrix.hpp): dat uint8 [24300, 2, 96, 96] stereo
// pairs, cat int32 [24300] (0..4: animal, human, airplane, truck, car), info int32 [24300, 4]
// (instance 0..9, elevation 0..8, azimuth 0, 2, ..., 34, lighting 0..5).
//
// As the DisLib loader csi uses: training then testing images (48,600), camera 0 only, resized
// 96 -> 64 as Pillow's BILINEAR resize does (pillow_resize.hpp); factors category, instance,
// elevation, rotation (azimuth / 2) and lighting; the classification target is category. The
// 199 MB of resized images are held in memory.
#pragma once

#include "image_set.hpp"

#include <string>

namespace idlab::images {

inline constexpr const char* kSmallnorbFolderFormat =
    "the small NORB folder: the six uncompressed NYU files smallnorb-5x46789x9x18x6x2x96x96-training-{dat,cat,"
    "info}.mat and smallnorb-5x01235x9x18x6x2x96x96-testing-{dat,cat,info}.mat";

// The file names, part "training" or "testing", kind "dat", "cat" or "info".
std::string smallnorb_file_name(const std::string& part, const std::string& kind);

ImageSet read_smallnorb_folder(const std::string& folder);

}  // namespace idlab::images
