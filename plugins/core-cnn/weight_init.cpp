#include "weight_init.hpp"

#include <idlab/philox.hpp>
#include <idlab/seeded_uniform.hpp>

#include <cmath>

namespace idlab::cnn {

void kaiming_normal_fan_out(std::vector<float>& values, int64_t fan_out, const InitKey& key,
                            const std::string& name) {
    const double stddev = std::sqrt(2.0 / static_cast<double>(fan_out));
    SeededUniform bits(key.seed, key.stage, name);
    // Box-Muller on two uniforms in (0, 1), each made from one 64-bit draw; both normals used.
    for (size_t i = 0; i < values.size(); i += 2) {
        const uint64_t a = bits.next(), b = bits.next();
        const double u1 = uniform_double_open(static_cast<uint32_t>(a >> 32), static_cast<uint32_t>(a));
        const double u2 = uniform_double_open(static_cast<uint32_t>(b >> 32), static_cast<uint32_t>(b));
        double n0, n1;
        box_muller(u1, u2, n0, n1);
        values[i] = static_cast<float>(stddev * n0);
        if (i + 1 < values.size()) values[i + 1] = static_cast<float>(stddev * n1);
    }
}

void uniform_fan_in(std::vector<float>& values, int64_t fan_in, const InitKey& key,
                    const std::string& name) {
    const float bound = static_cast<float>(1.0 / std::sqrt(static_cast<double>(fan_in)));
    SeededUniform rng(key.seed, key.stage, name);
    for (float& v : values) v = rng.symmetric(bound);
}

}  // namespace idlab::cnn
