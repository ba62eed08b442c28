// core.dsprites_like: the procedural stand-in for dSprites (dsprites_sprite.hpp), the embedded
// default image dataset: the full 737,280-image factor grid in the official order, rendered on
// demand (nothing is stored but the factor classes), with the sprite's shape as the class to
// predict. Fields and sampling as every image dataset (image_data.hpp). Everything it logs or
// describes says "dSprites-like": results made with it are not dSprites results.
#pragma once

#include "image_data.hpp"

#include <idlab/plugin.hpp>

namespace idlab::images {

class DspritesLikeData final : public ImageData {
public:
    static constexpr const char* kId = "core.dsprites_like";
    static idlab::ComponentSpec spec();
    DspritesLikeData(const idlab::CreateContext& ctx, const idlab::Config& config);

protected:
    const uint8_t* image_pixels(int64_t i, uint8_t* scratch) const override;
};

}  // namespace idlab::images
