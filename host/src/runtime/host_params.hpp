// Parameter specs of the two stages the host itself owns: [run] and [train].
// They use the same idlab_param_spec_t as components, so recipes validate them the same way.
#pragma once

#include <idlab/plugin.h>

#include <vector>

namespace idlab::host {

const std::vector<idlab_param_spec_t>& run_param_specs();
const std::vector<idlab_param_spec_t>& train_param_specs();

}  // namespace idlab::host
