// MPI3D (Gondal et al. 2019) from its official files, mpi3d_toy.npz, mpi3d_realistic.npz or
// mpi3d_real.npz (../shared/reference/datasets.md §4): one member,
//   images  uint8 [1036800, 64, 64, 3]
// in factor order, the last fastest: object_color 6, object_shape 6, object_size 2,
// camera_height 3, background_color 3, horizontal_axis 40, vertical_axis 40. Factors under
// csi's names: objCol, objShape, objSize, cameraHeight, backCol, posX, posY; the
// classification target is objShape. The files are written by np.savez (stored), so the
// 12.7 GB of images are mapped in place; a compressed copy is inflated once into the cache.
#pragma once

#include "image_set.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace idlab::images {

inline constexpr const char* kMpi3dFormat =
    "an MPI3D .npz (mpi3d_toy.npz, mpi3d_realistic.npz or mpi3d_real.npz): 'images' uint8 [1036800, 64, 64, 3] "
    "in factor order 6 x 6 x 2 x 3 x 3 x 40 x 40";

// The factor grid of the published files.
inline const std::vector<int64_t> kMpi3dFactorSizes = {6, 6, 2, 3, 3, 40, 40};

// `factor_sizes` other than the published grid only serve tests on small files.
ImageSet read_mpi3d_npz(const std::string& path, const std::string& cache_dir,
                        const std::vector<int64_t>& factor_sizes = kMpi3dFactorSizes);

}  // namespace idlab::images
