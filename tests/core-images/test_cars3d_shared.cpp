// The real Cars3D files in ../shared/data/cars3d (skipped with a message when absent): the
// .mat folder, resized here, must equal the reference cars3d_64x64.npz bit for bit. The
// quick case checks the first objects of list.txt in full; the [.slow] case all 183.
#include "cars3d_reader.hpp"
#include "images_test_support.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <cstring>

using namespace idlab::test;
using idlab::images::ImageSet;

namespace {

// Compares every image of `raw` (possibly fewer objects) with its image in the reference.
void check_against_reference(const ImageSet& raw, const ImageSet& reference) {
    REQUIRE(reference.count == 17568);
    REQUIRE(reference.factor_sizes == std::vector<int64_t>{4, 24, 183});
    REQUIRE(raw.factor_sizes[0] == 4);
    REQUIRE(raw.factor_sizes[1] == 24);
    const int64_t objects = raw.factor_sizes[2];
    int64_t differing_images = 0;
    for (int64_t i = 0; i < raw.count; ++i) {
        const int64_t e = raw.factor_class(i, 0), a = raw.factor_class(i, 1), o = raw.factor_class(i, 2);
        const int64_t j = (e * 24 + a) * 183 + o;
        REQUIRE(reference.factor_class(j, 0) == e);
        REQUIRE(reference.factor_class(j, 1) == a);
        REQUIRE(reference.factor_class(j, 2) == o);
        if (std::memcmp(raw.image(i), reference.image(j), static_cast<size_t>(raw.image_bytes())) != 0) {
            if (differing_images < 5) UNSCOPED_INFO("image " << j << " (object " << o << ") differs");
            ++differing_images;
        }
    }
    CHECK(differing_images == 0);
    CHECK(raw.count == 96 * objects);
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

TEST_CASE("cars3d shared data: the first 4 cars resize bit-exactly to the reference npz", "[core-images][cars3d][shared]") {
    const auto folder = shared_data("cars3d/raw");
    const auto npz = shared_data("cars3d/cars3d_64x64.npz");
    if (folder.empty() || npz.empty()) return;
    const auto t0 = std::chrono::steady_clock::now();
    const ImageSet raw = idlab::images::read_cars3d_folder(folder.string(), 4);
    const double raw_seconds = seconds_since(t0);
    const auto t1 = std::chrono::steady_clock::now();
    const ImageSet reference = idlab::images::read_cars3d_npz(npz.string());
    WARN("read 4 cars from .mat in " << raw_seconds << " s, the reference npz in " << seconds_since(t1) << " s");
    check_against_reference(raw, reference);
}

TEST_CASE("cars3d shared data: all 183 cars resize bit-exactly to the reference npz", "[core-images][cars3d][shared][.slow]") {
    const auto folder = shared_data("cars3d/raw");
    const auto npz = shared_data("cars3d/cars3d_64x64.npz");
    if (folder.empty() || npz.empty()) return;
    const auto t0 = std::chrono::steady_clock::now();
    const ImageSet raw = idlab::images::read_cars3d_folder(folder.string(), -1, 0);
    WARN("read all 183 cars from .mat (one thread per core) in " << seconds_since(t0) << " s");
    const ImageSet reference = idlab::images::read_cars3d_npz(npz.string());
    REQUIRE(raw.factor_sizes[2] == 183);
    check_against_reference(raw, reference);
}
