// The SDK's random numbers: Philox4x32-10 against the published known answers, and the
// sampler convention that makes a sample's numbers depend only on (seed, stream, counter, row).
#include <idlab/philox.hpp>
#include <idlab/seeded_uniform.hpp>

#include <catch2/catch.hpp>

#include <cstdlib>
#include <vector>

using idlab::PhiloxCounter;
using idlab::PhiloxKey;
using idlab::PhiloxStream;

namespace {

bool same_block(const PhiloxCounter& a, const PhiloxCounter& b) {
    return a.w[0] == b.w[0] && a.w[1] == b.w[1] && a.w[2] == b.w[2] && a.w[3] == b.w[3];
}

std::vector<uint32_t> words(PhiloxStream stream, int n) {
    std::vector<uint32_t> out;
    for (int i = 0; i < n; ++i) out.push_back(stream.next_u32());
    return out;
}

}  // namespace

TEST_CASE("philox4x32_10 matches the Random123 known-answer vectors", "[sdk][philox]") {
    // Random123's tests/kat_vectors: counter[4] key[2] -> output[4].
    CHECK(same_block(idlab::philox4x32_10({{0, 0, 0, 0}}, {{0, 0}}),
                     {{0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u}}));
    CHECK(same_block(idlab::philox4x32_10({{0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu}},
                                          {{0xffffffffu, 0xffffffffu}}),
                     {{0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu}}));
    CHECK(same_block(idlab::philox4x32_10({{0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u}},
                                          {{0xa4093822u, 0x299f31d0u}}),
                     {{0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u}}));
}

TEST_CASE("a stream hands out blocks word by word with the last counter word as block index",
          "[sdk][philox]") {
    const PhiloxKey key{{7, 9}};
    PhiloxStream stream(key, {{1, 2, 3, 0}});
    const PhiloxCounter b0 = idlab::philox4x32_10({{1, 2, 3, 0}}, key);
    const PhiloxCounter b1 = idlab::philox4x32_10({{1, 2, 3, 1}}, key);
    CHECK(words(stream, 8) ==
          std::vector<uint32_t>{b0.w[0], b0.w[1], b0.w[2], b0.w[3], b1.w[0], b1.w[1], b1.w[2], b1.w[3]});
}

TEST_CASE("for_sample follows the documented counter layout", "[sdk][philox]") {
    const idlab_rng_t rng{0x0000000500000003ull, IDLAB_RNG_STREAM_EVAL, 0x0000abcd00000011ull};
    const PhiloxStream sample = PhiloxStream::for_sample(rng, 6);
    // key = (seed low, seed high); counter = (row, counter low, counter bits 32..47 | stream << 16, k)
    const PhiloxStream expected({{3, 5}}, {{6, 0x11, 0xabcdu | (uint32_t(IDLAB_RNG_STREAM_EVAL) << 16), 0}});
    CHECK(words(sample, 6) == words(expected, 6));
    // Another row, step or stream gives other numbers.
    CHECK(words(PhiloxStream::for_sample(rng, 7), 4) != words(sample, 4));
    idlab_rng_t next_step = rng;
    next_step.counter += 1;
    CHECK(words(PhiloxStream::for_sample(next_step, 6), 4) != words(sample, 4));
    idlab_rng_t train = rng;
    train.stream = IDLAB_RNG_STREAM_TRAIN;
    CHECK(words(PhiloxStream::for_sample(train, 6), 4) != words(sample, 4));
}

TEST_CASE("for_setup uses stream 0 and the purpose as counter word 1", "[sdk][philox]") {
    const PhiloxStream setup = PhiloxStream::for_setup(0x100000002ull, 9);
    const PhiloxStream expected({{2, 1}}, {{0, 9, 0, 0}});
    CHECK(words(setup, 5) == words(expected, 5));
    CHECK(words(PhiloxStream::for_setup(0x100000002ull, 10), 4) != words(setup, 4));
}

TEST_CASE("uniforms lie strictly inside (0, 1)", "[sdk][philox]") {
    CHECK(idlab::uniform_float_open(0) > 0.0f);
    CHECK(idlab::uniform_float_open(0xffffffffu) < 1.0f);
    CHECK(idlab::uniform_double_open(0, 0) > 0.0);
    CHECK(idlab::uniform_double_open(0xffffffffu, 0xffffffffu) < 1.0);
    PhiloxStream stream = PhiloxStream::for_setup(1, 1);
    double sum = 0;
    const int n = 20000;
    for (int i = 0; i < n; ++i) {
        const double u = stream.uniform();
        REQUIRE(u > 0.0);
        REQUIRE(u < 1.0);
        sum += u;
    }
    CHECK_THAT(sum / n, Catch::Matchers::WithinAbs(0.5, 0.01));  // 0.01 ~ 5 standard errors
}

TEST_CASE("normals have mean 0 and variance 1", "[sdk][philox]") {
    PhiloxStream stream = PhiloxStream::for_setup(2, 1);
    const int n = 40000;
    double sum = 0, sum_sq = 0;
    for (int i = 0; i < n; ++i) {
        const double z = stream.normal();
        sum += z;
        sum_sq += z * z;
    }
    CHECK_THAT(sum / n, Catch::Matchers::WithinAbs(0.0, 0.025));    // ~5 standard errors
    CHECK_THAT(sum_sq / n, Catch::Matchers::WithinAbs(1.0, 0.04));  // ~5 standard errors
}

TEST_CASE("uniform_index covers [0, n) evenly", "[sdk][philox]") {
    PhiloxStream stream = PhiloxStream::for_setup(3, 1);
    CHECK(stream.uniform_index(1) == 0);
    std::vector<int> counts(7, 0);
    const int n = 70000;
    for (int i = 0; i < n; ++i) {
        const uint64_t k = stream.uniform_index(7);
        REQUIRE(k < 7);
        ++counts[k];
    }
    for (int c : counts) CHECK(std::abs(c - n / 7) < 500);  // ~5 standard deviations (~93)
}

TEST_CASE("SeededUniform depends on seed, stage and name only", "[sdk]") {
    idlab::SeededUniform a(5, "encoder", "layer0.weight");
    idlab::SeededUniform b(5, "encoder", "layer0.weight");
    idlab::SeededUniform other_name(5, "encoder", "layer1.weight");
    idlab::SeededUniform other_seed(6, "encoder", "layer0.weight");
    const uint64_t first = a.next();
    CHECK(first == b.next());
    CHECK(first != other_name.next());
    CHECK(first != other_seed.next());
    for (int i = 0; i < 1000; ++i) {
        const float v = a.symmetric(0.5f);
        REQUIRE(v >= -0.5f);
        REQUIRE(v < 0.5f);
    }
}
