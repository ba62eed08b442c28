// The Cars3D reader on a small DisLib-style folder the test writes: image order (object
// fastest, then azimuth, then elevation), factors, the resize of each view, threads, and
// the errors for a missing list, a missing or inconsistent .mat file; and the cached .npz
// layout with its checks.
#include "cars3d_fixture.hpp"
#include "cars3d_reader.hpp"
#include "file_writers.hpp"
#include "images_test_support.hpp"
#include "pillow_resize.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

using namespace idlab::test;
using idlab::images::ImageSet;
using idlab::images::read_cars3d_folder;
using idlab::images::read_cars3d_npz;
using Catch::Matchers::Contains;

namespace {

std::vector<uint8_t> resized_view(const Cars3dFixture& fx, int64_t object, int64_t azimuth, int64_t elevation) {
    const std::vector<uint8_t> hwc = fx.view_hwc(object, azimuth, elevation);
    idlab::images::ImageView view;
    view.data = hwc.data();
    view.height = fx.side;
    view.width = fx.side;
    view.channels = 3;
    view.row_stride = fx.side * 3;
    view.col_stride = 3;
    view.channel_stride = 1;
    std::vector<uint8_t> out(64 * 64 * 3);
    idlab::images::BilinearResizer(fx.side, fx.side, 64, 64).resize(view, out.data());
    return out;
}

void check_layout(const ImageSet& set, const Cars3dFixture& fx) {
    const int64_t objects = static_cast<int64_t>(fx.names.size());
    REQUIRE(set.count == fx.elevations * fx.azimuths * objects);
    CHECK(set.height == 64);
    CHECK(set.width == 64);
    CHECK(set.channels == 3);
    CHECK(set.factor_names == std::vector<std::string>{"elevation", "azimuth", "object_type"});
    CHECK(set.factor_sizes == std::vector<int64_t>{fx.elevations, fx.azimuths, objects});
    CHECK(set.target_factor == 2);
    for (int64_t e = 0; e < fx.elevations; ++e)
        for (int64_t a = 0; a < fx.azimuths; ++a)
            for (int64_t o = 0; o < objects; ++o) {
                const int64_t i = (e * fx.azimuths + a) * objects + o;
                INFO("image " << i << " = elevation " << e << ", azimuth " << a << ", object " << o);
                CHECK(set.factor_class(i, 0) == e);
                CHECK(set.factor_class(i, 1) == a);
                CHECK(set.factor_class(i, 2) == o);
                const std::vector<uint8_t> got(set.image(i), set.image(i) + set.image_bytes());
                CHECK(got == resized_view(fx, o, a, e));
            }
}

}  // namespace

TEST_CASE("cars3d folder: images in DisLib order, resized, with their factors", "[core-images][cars3d]") {
    const auto dir = scratch_dir("cars3d-folder");
    const Cars3dFixture fx;
    fx.write(dir);
    check_layout(read_cars3d_folder(dir.string()), fx);
    check_layout(read_cars3d_folder(dir.string(), -1, 2), fx);  // two threads give the same set
}

TEST_CASE("cars3d folder: max_objects reads the first lines of list.txt", "[core-images][cars3d]") {
    const auto dir = scratch_dir("cars3d-subset");
    Cars3dFixture fx;
    fx.write(dir);
    const ImageSet set = read_cars3d_folder(dir.string(), 2);
    fx.names.resize(2);
    check_layout(set, fx);
}

TEST_CASE("cars3d folder: errors name the file and the folder layout expected", "[core-images][cars3d][errors]") {
    const auto dir = scratch_dir("cars3d-errors");
    const Cars3dFixture fx;
    fx.write(dir);

    SECTION("no list.txt") {
        std::filesystem::remove(dir / "list.txt");
        CHECK_THAT(data_file_error_of([&] { read_cars3d_folder(dir.string()); }),
                   Contains((dir / "list.txt").string()) && Contains("cannot open") &&
                       Contains("the DisLib Cars3D folder"));
    }
    SECTION("an empty list.txt") {
        write_file(dir / "list.txt", Bytes{'\n', ' ', '\n'});
        CHECK_THAT(data_file_error_of([&] { read_cars3d_folder(dir.string()); }), Contains("names no object"));
    }
    SECTION("a listed .mat file is missing") {
        std::filesystem::remove(dir / "car_007_mesh.mat");
        CHECK_THAT(data_file_error_of([&] { read_cars3d_folder(dir.string()); }),
                   Contains("car_007_mesh.mat") && Contains("cannot open") && Contains("MAT v5"));
    }
    SECTION("a truncated .mat file") {
        Bytes b = read_file(dir / "car_010_mesh.mat");
        b.resize(b.size() * 2 / 3);
        write_file(dir / "car_010_mesh.mat", b);
        CHECK_THAT(data_file_error_of([&] { read_cars3d_folder(dir.string(), -1, 2); }),
                   Contains("car_010_mesh.mat") && Contains("truncated") && Contains("MAT v5"));
    }
    SECTION("views that differ between objects") {
        Cars3dFixture other = fx;
        other.azimuths = 2;
        write_file(dir / "car_007_mesh.mat", other.mat_file(1));
        CHECK_THAT(data_file_error_of([&] { read_cars3d_folder(dir.string()); }),
                   Contains("car_007_mesh.mat") && Contains("other dimensions than in car_001_mesh.mat"));
    }
    SECTION("'im' of another type") {
        write_file(dir / "car_001_mesh.mat",
                   mat_bytes({{"im", 6, false, {2, 2, 3, 1, 1}, 9, Bytes(12 * 8, 0), true}}));
        CHECK_THAT(data_file_error_of([&] { read_cars3d_folder(dir.string()); }),
                   Contains("car_001_mesh.mat") && Contains("'im' is not a uint8 array"));
    }
    SECTION("no 'im' variable") {
        write_file(dir / "car_001_mesh.mat", mat_bytes({{"pixels", 9, false, {1, 1}, 2, Bytes{1}, true}}));
        CHECK_THAT(data_file_error_of([&] { read_cars3d_folder(dir.string()); }),
                   Contains("car_001_mesh.mat") && Contains("no variable 'im'"));
    }
}

TEST_CASE("cars3d npz: the cached layout reads back, with its checks", "[core-images][cars3d][npz]") {
    const auto dir = scratch_dir("cars3d-npz");
    const int64_t n = 2 * 3 * 2;
    std::vector<int64_t> factors;
    for (int64_t i = 0; i < n; ++i) {
        factors.push_back(i / 6);
        factors.push_back((i / 2) % 3);
        factors.push_back(i % 2);
    }
    Bytes pixels(static_cast<size_t>(n * 64 * 64 * 3));
    for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<uint8_t>(i % 253);
    auto archive = [&](const std::vector<int64_t>& sizes) {
        std::vector<ZipMember> members(3);
        members[0] = ZipMember{"images.npy", npy_bytes("|u1", "(12, 64, 64, 3)", pixels), true};
        members[1] = ZipMember{"factors.npy", npy_bytes("<i8", "(12, 3)", raw_bytes(factors)), true};
        members[2] = ZipMember{"factor_sizes.npy", npy_bytes("<i8", "(3,)", raw_bytes(sizes)), false};
        return zip_bytes(members);
    };
    write_file(dir / "cars.npz", archive({2, 3, 2}));
    const ImageSet set = read_cars3d_npz((dir / "cars.npz").string());
    CHECK(set.count == 12);
    CHECK(set.factor_sizes == std::vector<int64_t>{2, 3, 2});
    CHECK(set.factor_classes == factors);
    CHECK(set.image(5)[7] == pixels[5 * 64 * 64 * 3 + 7]);

    write_file(dir / "sizes.npz", archive({2, 3, 3}));
    CHECK_THAT(data_file_error_of([&] { read_cars3d_npz((dir / "sizes.npz").string()); }),
               Contains("sizes.npz") && Contains("do not multiply to the 12 images"));
    factors[4] = 7;
    write_file(dir / "range.npz", archive({2, 3, 2}));
    CHECK_THAT(data_file_error_of([&] { read_cars3d_npz((dir / "range.npz").string()); }),
               Contains("factors[1, 1] = 7 is outside [0, 3)"));
    write_file(dir / "images.npz", zip_bytes({{"images.npy", npy_bytes("|u1", "(12, 32, 32, 3)", Bytes(12 * 32 * 32 * 3)), false}}));
    CHECK_THAT(data_file_error_of([&] { read_cars3d_npz((dir / "images.npz").string()); }),
               Contains("images.npz[images.npy]") && Contains("(12, 32, 32, 3)") &&
                   Contains("expected dtype '|u1' and shape (any, 64, 64, 3)"));
}
