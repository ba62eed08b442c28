// Hand-written component descriptors standing in for the core plugins, and a ComponentSource
// over them, so the recipe layer is tested without loading any plugin. The ids and parameters
// resemble the core components but are defined here; the real plugins may differ.
#pragma once

#include "recipe/recipe.hpp"

#include <string>
#include <vector>

namespace idlab::test {

// Every fake component:
//   data       core.vmf_clusters  latent_dim int >= 2 (required), clusters int >= 1 = 100,
//                                 kappa float > 0 = 10.0, distribution "vmf"|"laplace"|"normal"
//   encoder    core.mlp           hidden int list each >= 1 (required), batch_norm bool = true,
//                                 slope float in [0, 1] = 0.01          (cpu and cuda)
//   encoder    cpu.only_mlp       width int >= 1 = 8                    (cpu only)
//   loss       core.cross_entropy target "label"|"index" = "label", normalize_rows bool = false
//   optimizer  core.adam          lr float > 0 = 1e-3, betas float list each in [0, 1) = [0.9, 0.999]
//   metric     core.linear_r2     intercept bool = true
//   metric     core.head_r2       intercept bool = true
//   metric     test.broken_default  scale float >= 0 whose default "-1.0" breaks its own range
const std::vector<const idlab_component_desc_t*>& fake_components();

// Finds fake components like the host's registry does (kind, id, device); records the device
// of the last lookup so tests can see which device the recipe asked for.
struct FakeSource {
    host::ComponentSource source;
    std::string last_device;
    FakeSource();
    FakeSource(const FakeSource&) = delete;
    FakeSource& operator=(const FakeSource&) = delete;
};

}  // namespace idlab::test
