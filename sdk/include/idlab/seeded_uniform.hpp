// idlab SDK helper for plugin authors.
// Deterministic initialisation randomness: splitmix64 keyed by (run seed, stage, tensor name),
// so every tensor's initial values depend only on the seed and where the tensor lives, not on
// the order in which tensors are created.
#pragma once

#include <cstdint>
#include <string>

namespace idlab {

class SeededUniform {
public:
    SeededUniform(uint64_t seed, const std::string& stage, const std::string& name)
        : state_(seed ^ mix(fnv1a(stage + "/" + name))) {}

    // Uniform in [-bound, bound).
    float symmetric(float bound) {
        const double u = static_cast<double>(next() >> 11) * 0x1.0p-53;  // [0, 1)
        return static_cast<float>((2.0 * u - 1.0) * bound);
    }

    uint64_t next() {
        state_ += 0x9E3779B97F4A7C15ull;
        return mix(state_);
    }

private:
    static uint64_t mix(uint64_t z) {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    static uint64_t fnv1a(const std::string& s) {
        uint64_t h = 0xCBF29CE484222325ull;
        for (unsigned char c : s) h = (h ^ c) * 0x100000001B3ull;
        return h;
    }
    uint64_t state_;
};

}  // namespace idlab
