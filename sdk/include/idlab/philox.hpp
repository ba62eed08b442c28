// idlab SDK: Philox4x32-10, a counter-based random number generator, plus the convention
// every idlab sampler follows so that random numbers depend only on (seed, stream, counter).
//
// Philox4x32-10 is the generator of Salmon, Moraes, Dror and Shaw, "Parallel random numbers:
// as easy as 1, 2, 3" (SC 2011), also provided by cuRAND and Random123. It maps a 128-bit
// counter and a 64-bit key to 128 random bits with 10 rounds of multiply-xor. Nothing here
// allocates or keeps global state, so the same code runs on the host and, compiled by nvcc,
// on a CUDA device (functions are marked IDLAB_HOST_DEVICE).
//
// ---------------------------------------------------------------- the sampler convention
//
// A component that draws a batch with ctx->rng = {seed, stream, counter} gives sample j of
// the batch (j = 0..batch-1) its own Philox sequence:
//
//     key     = (seed & 0xffffffff, seed >> 32)
//     counter = (j,                                   word 0: the sample's row in the batch
//                counter & 0xffffffff,                word 1: low 32 bits of rng.counter
//                ((counter >> 32) & 0xffff)           word 2: bits 32..47 of rng.counter
//                    | (stream & 0xffff) << 16,               and the stream id
//                k)                                   word 3: k = 0, 1, 2, ... the block index
//                                                             within the sample
//
// Each block gives four 32-bit words; a sample consumes them in order through PhiloxStream.
// So every sample's numbers are independent of the batch size, of how a batch is split across
// threads and of the device. Limits: 2^32 samples per batch, 48 bits of rng.counter, 16 bits of
// stream, 2^34 words per sample.
//
// Randomness at creation time (cluster vectors, frozen weights) uses stream 0, which the host
// never uses for batches (IDLAB_RNG_STREAM_* start at 1): key as above from the run seed,
// counter = (0, purpose, 0, k) where `purpose` is a number the component picks per use, so
// that independent uses do not overlap (PhiloxStream::for_setup).
#pragma once

#include <idlab/plugin.h>

#include <math.h>
#include <stdint.h>

#if defined(__CUDACC__)
#define IDLAB_HOST_DEVICE __host__ __device__
#else
#define IDLAB_HOST_DEVICE
#endif

namespace idlab {

struct PhiloxCounter {
    uint32_t w[4];
};
struct PhiloxKey {
    uint32_t w[2];
};

namespace philox_detail {
constexpr uint32_t kMul0 = 0xD2511F53u;
constexpr uint32_t kMul1 = 0xCD9E8D57u;
constexpr uint32_t kWeyl0 = 0x9E3779B9u;  // golden ratio
constexpr uint32_t kWeyl1 = 0xBB67AE85u;  // sqrt(3) - 1

IDLAB_HOST_DEVICE inline void mulhilo(uint32_t a, uint32_t b, uint32_t& hi, uint32_t& lo) {
    const uint64_t p = static_cast<uint64_t>(a) * static_cast<uint64_t>(b);
    hi = static_cast<uint32_t>(p >> 32);
    lo = static_cast<uint32_t>(p);
}

IDLAB_HOST_DEVICE inline PhiloxCounter single_round(const PhiloxCounter& c, const PhiloxKey& k) {
    uint32_t hi0, lo0, hi1, lo1;
    mulhilo(kMul0, c.w[0], hi0, lo0);
    mulhilo(kMul1, c.w[2], hi1, lo1);
    PhiloxCounter out;
    out.w[0] = hi1 ^ c.w[1] ^ k.w[0];
    out.w[1] = lo1;
    out.w[2] = hi0 ^ c.w[3] ^ k.w[1];
    out.w[3] = lo0;
    return out;
}

// High 64 bits of a 64x64-bit product.
IDLAB_HOST_DEVICE inline uint64_t mulhi64(uint64_t a, uint64_t b) {
#if defined(__CUDA_ARCH__)
    return __umul64hi(a, b);
#else
    // Four 32x32 products: portable and warning-free under -pedantic (no __int128).
    const uint64_t a_lo = a & 0xffffffffu, a_hi = a >> 32;
    const uint64_t b_lo = b & 0xffffffffu, b_hi = b >> 32;
    const uint64_t lo_lo = a_lo * b_lo, hi_lo = a_hi * b_lo;
    const uint64_t lo_hi = a_lo * b_hi, hi_hi = a_hi * b_hi;
    const uint64_t middle = (lo_lo >> 32) + (hi_lo & 0xffffffffu) + lo_hi;
    return hi_hi + (hi_lo >> 32) + (middle >> 32);
#endif
}
}  // namespace philox_detail

// Philox4x32-10: ten rounds, the key bumped by the Weyl constants between rounds.
IDLAB_HOST_DEVICE inline PhiloxCounter philox4x32_10(PhiloxCounter counter, PhiloxKey key) {
    for (int r = 0; r < 10; ++r) {
        if (r > 0) {
            key.w[0] += philox_detail::kWeyl0;
            key.w[1] += philox_detail::kWeyl1;
        }
        counter = philox_detail::single_round(counter, key);
    }
    return counter;
}

// Uniform float in the open interval (0, 1): 23 random bits, centred in their cell, so the
// result is exact and never 0 or 1.
IDLAB_HOST_DEVICE inline float uniform_float_open(uint32_t word) {
    return (static_cast<float>(word >> 9) + 0.5f) * (1.0f / 8388608.0f);  // 2^-23
}

// Uniform double in (0, 1) from two words: 52 random bits, centred in their cell.
IDLAB_HOST_DEVICE inline double uniform_double_open(uint32_t hi, uint32_t lo) {
    const uint64_t bits = ((static_cast<uint64_t>(hi) << 32) | lo) >> 12;
    return (static_cast<double>(bits) + 0.5) * (1.0 / 4503599627370496.0);  // 2^-52
}

// Box-Muller: two independent standard normals from two uniforms in (0, 1).
IDLAB_HOST_DEVICE inline void box_muller(double u1, double u2, double& n0, double& n1) {
    const double two_pi = 6.283185307179586476925286766559;
    const double r = ::sqrt(-2.0 * ::log(u1));
    const double theta = two_pi * u2;
    n0 = r * ::cos(theta);
    n1 = r * ::sin(theta);
}

// A sequence of random numbers from one (key, counter) pair: successive Philox blocks with the
// last counter word incremented, consumed one 32-bit word at a time. Cheap to construct; make
// one per sample (for_sample) or per setup purpose (for_setup).
class PhiloxStream {
public:
    IDLAB_HOST_DEVICE PhiloxStream(PhiloxKey key, PhiloxCounter counter)
        : key_(key), counter_(counter) {}

    // Sample j of a draw with `rng`, following the convention at the top of this file.
    IDLAB_HOST_DEVICE static PhiloxStream for_sample(const idlab_rng_t& rng, uint64_t j) {
        PhiloxCounter c;
        c.w[0] = static_cast<uint32_t>(j);
        c.w[1] = static_cast<uint32_t>(rng.counter);
        c.w[2] = static_cast<uint32_t>((rng.counter >> 32) & 0xffffu) |
                 (static_cast<uint32_t>(rng.stream & 0xffffu) << 16);
        c.w[3] = 0;
        return PhiloxStream(key_from_seed(rng.seed), c);
    }

    // Creation-time randomness (stream 0) for one `purpose` chosen by the component.
    IDLAB_HOST_DEVICE static PhiloxStream for_setup(uint64_t seed, uint32_t purpose) {
        PhiloxCounter c;
        c.w[0] = 0;
        c.w[1] = purpose;
        c.w[2] = 0;
        c.w[3] = 0;
        return PhiloxStream(key_from_seed(seed), c);
    }

    IDLAB_HOST_DEVICE static PhiloxKey key_from_seed(uint64_t seed) {
        PhiloxKey k;
        k.w[0] = static_cast<uint32_t>(seed);
        k.w[1] = static_cast<uint32_t>(seed >> 32);
        return k;
    }

    IDLAB_HOST_DEVICE uint32_t next_u32() {
        if (used_ == 4) {
            block_ = philox4x32_10(counter_, key_);
            ++counter_.w[3];
            used_ = 0;
        }
        return block_.w[used_++];
    }

    IDLAB_HOST_DEVICE uint64_t next_u64() {
        const uint64_t hi = next_u32();
        return (hi << 32) | next_u32();
    }

    IDLAB_HOST_DEVICE float uniform_float() { return uniform_float_open(next_u32()); }

    IDLAB_HOST_DEVICE double uniform() {
        const uint32_t hi = next_u32();
        return uniform_double_open(hi, next_u32());
    }

    // Standard normal; Box-Muller makes them in pairs, the second is kept for the next call.
    IDLAB_HOST_DEVICE double normal() {
        if (has_spare_) {
            has_spare_ = false;
            return spare_;
        }
        const double u1 = uniform();
        const double u2 = uniform();
        double n0, n1;
        box_muller(u1, u2, n0, n1);
        spare_ = n1;
        has_spare_ = true;
        return n0;
    }

    // Exactly uniform integer in [0, n), n >= 1 (Lemire's multiply-and-reject).
    IDLAB_HOST_DEVICE uint64_t uniform_index(uint64_t n) {
        uint64_t x = next_u64();
        uint64_t low = x * n;
        if (low < n) {
            const uint64_t threshold = (0 - n) % n;  // 2^64 mod n
            while (low < threshold) {
                x = next_u64();
                low = x * n;
            }
        }
        return philox_detail::mulhi64(x, n);
    }

private:
    PhiloxKey key_;
    PhiloxCounter counter_;
    PhiloxCounter block_{};
    unsigned used_ = 4;  // words of block_ already handed out; 4 = none left
    bool has_spare_ = false;
    double spare_ = 0.0;
};

}  // namespace idlab
