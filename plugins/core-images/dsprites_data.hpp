// core.dsprites: dSprites from its official file (dsprites_reader.hpp), the DisLib dataset of
// the paper's Table 4 rows "dSprites", with the sprite's shape as the class to predict.
// Fields and sampling as every image dataset (image_data.hpp).
#pragma once

#include "image_data.hpp"

#include <idlab/plugin.hpp>

namespace idlab::images {

class DspritesData final : public ImageData {
public:
    static constexpr const char* kId = "core.dsprites";
    static idlab::ComponentSpec spec();
    DspritesData(const idlab::CreateContext& ctx, const idlab::Config& config);
};

}  // namespace idlab::images
