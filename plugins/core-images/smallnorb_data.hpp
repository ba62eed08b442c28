// core.smallnorb: small NORB from NYU's files (smallnorb_reader.hpp), the DisLib dataset of
// the paper's Table 4 rows "smallNORB", with the object category as the class to predict.
// Fields and sampling as every image dataset (image_data.hpp).
#pragma once

#include "image_data.hpp"

#include <idlab/plugin.hpp>

namespace idlab::images {

class SmallnorbData final : public ImageData {
public:
    static constexpr const char* kId = "core.smallnorb";
    static idlab::ComponentSpec spec();
    SmallnorbData(const idlab::CreateContext& ctx, const idlab::Config& config);
};

}  // namespace idlab::images
