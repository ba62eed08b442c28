// core.shapes3d: Shapes3D from its official HDF5 file (shapes3d_reader.hpp), the DisLib
// dataset of the paper's Table 4 rows "Shapes 3D", with the object's shape as the class to
// predict. Fields and sampling as every image dataset (image_data.hpp).
#pragma once

#include "image_data.hpp"

#include <idlab/plugin.hpp>

namespace idlab::images {

class Shapes3dData final : public ImageData {
public:
    static constexpr const char* kId = "core.shapes3d";
    static idlab::ComponentSpec spec();
    Shapes3dData(const idlab::CreateContext& ctx, const idlab::Config& config);
};

}  // namespace idlab::images
