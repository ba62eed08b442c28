// core.mpi3d: MPI3D from its official files (mpi3d_reader.hpp), the DisLib dataset of the
// paper's Table 4 rows "MPI 3D" (variant toy) and "MPI 3D real" (variant real), with the
// object's shape as the class to predict. Fields and sampling as every image dataset
// (image_data.hpp).
#pragma once

#include "image_data.hpp"

#include <idlab/plugin.hpp>

namespace idlab::images {

class Mpi3dData final : public ImageData {
public:
    static constexpr const char* kId = "core.mpi3d";
    static idlab::ComponentSpec spec();
    Mpi3dData(const idlab::CreateContext& ctx, const idlab::Config& config);
};

}  // namespace idlab::images
