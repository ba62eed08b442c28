// The cluster vectors v_1..v_K of core.vmf_clusters, drawn once per run from the setup stream:
// uniform on S^(d-1) (the paper's default), or e1 plus per-coordinate noise projected onto the
// sphere, which concentrates them around e1 (the reference code's --m-p, paper Table 5).
#pragma once

#include "scalar_laws.hpp"

#include <idlab/philox.hpp>

#include <cstdint>
#include <optional>
#include <vector>

namespace idlab::core {

// Row-major [count, dim], unit rows. `noise_around_e1` empty: uniform on the sphere.
std::vector<double> draw_cluster_vectors(PhiloxStream& rng, int64_t count, int64_t dim,
                                         const std::optional<CoordinateNoise>& noise_around_e1);

}  // namespace idlab::core
