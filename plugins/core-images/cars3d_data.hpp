// core.cars3d: the Cars3D images of the DisLib experiment (paper-spec.md §2.3), 183 cars x 4
// elevations x 24 azimuths at 64x64 RGB, with the car's identity as the class to predict.
// Reads the DisLib folder of .mat files (resizing as Pillow does) or a cached .npz; see
// cars3d_reader.hpp for the files and image_data.hpp for the fields and the sampling.
#pragma once

#include "image_data.hpp"

#include <idlab/plugin.hpp>

namespace idlab::images {

class Cars3dData final : public ImageData {
public:
    static constexpr const char* kId = "core.cars3d";
    // Where the dataset is published, for error messages and docs.
    static constexpr const char* kPublished =
        "Cars3D (Reed et al. 2015, Deep Visual Analogy-Making) is published as "
        "http://www.scottreed.info/files/nips2015-analogy-data.tar.gz; its data/cars folder is the "
        "DisLib folder read here";

    static idlab::ComponentSpec spec();
    Cars3dData(const idlab::CreateContext& ctx, const idlab::Config& config);
};

}  // namespace idlab::images
