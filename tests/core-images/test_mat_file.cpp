// The MAT v5 reader on files the test writes: plain and compressed variables, the small
// element form, doubles stored as narrower integers (as MATLAB writes them), logical arrays,
// and the errors for missing, foreign, truncated and damaged files.
#include "file_writers.hpp"
#include "images_test_support.hpp"
#include "mat_file.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

using namespace idlab::test;
using idlab::images::MatFile;
using idlab::images::MatVariable;
using Catch::Matchers::Contains;

namespace {

// Like a Cars3D file: PITCH_LIST (double stored as uint8), YAW_LIST (double as uint16), im
// (uint8, rank 5) and mask (logical), the first two plain or compressed as asked.
std::vector<MatVariableSpec> cars_like(bool compressed) {
    std::vector<uint8_t> im(4 * 3 * 3 * 2 * 2);
    for (size_t i = 0; i < im.size(); ++i) im[i] = static_cast<uint8_t>(i * 3 + 1);
    std::vector<uint16_t> yaw = {0, 15, 330, 345};
    return {
        {"PITCH_LIST", 6, false, {1, 4}, 2, Bytes{0, 6, 12, 18}, compressed},
        {"YAW_LIST", 6, false, {1, 4}, 4, raw_bytes(yaw), compressed},
        {"im", 9, false, {4, 3, 3, 2, 2}, 2, Bytes(im.begin(), im.end()), true},
        {"mask", 9, true, {4, 3, 2, 2}, 2, Bytes(48, 1), true},
    };
}

}  // namespace

TEST_CASE("mat: variables of a Cars3D-like file, compressed and plain", "[core-images][mat]") {
    const auto dir = scratch_dir("mat-values");
    for (bool compressed : {true, false}) {
        INFO("compressed lists: " << compressed);
        write_file(dir / "car.mat", mat_bytes(cars_like(compressed)));
        const MatFile file((dir / "car.mat").string());
        CHECK(file.names() == std::vector<std::string>{"PITCH_LIST", "YAW_LIST", "im", "mask"});
        CHECK(file.contains("im"));
        CHECK_FALSE(file.contains("IM"));

        const MatVariable pitch = file.read("PITCH_LIST");  // small element: 4 bytes of uint8
        CHECK(pitch.array_class == idlab::images::kMxDouble);
        CHECK(pitch.storage_type == idlab::images::kMiUint8);
        CHECK(pitch.dims == std::vector<int64_t>{1, 4});
        CHECK(pitch.to_double() == std::vector<double>{0, 6, 12, 18});

        const MatVariable yaw = file.read("YAW_LIST");
        CHECK(yaw.storage_type == idlab::images::kMiUint16);
        CHECK(yaw.to_double() == std::vector<double>{0, 15, 330, 345});

        const MatVariable im = file.read("im");
        CHECK(im.array_class == idlab::images::kMxUint8);
        CHECK_FALSE(im.logical);
        CHECK(im.dims == std::vector<int64_t>{4, 3, 3, 2, 2});
        CHECK(im.element_count() == 144);
        REQUIRE(im.data.size() == 144);
        CHECK(im.data[0] == 1);
        CHECK(im.data[143] == static_cast<uint8_t>(143 * 3 + 1));

        const MatVariable mask = file.read("mask");
        CHECK(mask.logical);
        CHECK(mask.dims == std::vector<int64_t>{4, 3, 2, 2});
    }
}

TEST_CASE("mat: signed, float and 64-bit storage types convert by storage type", "[core-images][mat]") {
    const auto dir = scratch_dir("mat-types");
    const std::vector<int16_t> i16 = {-300, 0, 300};
    const std::vector<float> f32 = {0.25f, -8.5f};
    const std::vector<double> f64 = {1e-300, 3.0};
    const std::vector<int64_t> i64 = {-(int64_t{1} << 40), 5};
    write_file(dir / "types.mat", mat_bytes({
                                      {"a", 6, false, {3, 1}, 3, raw_bytes(i16), false},
                                      {"b", 7, false, {1, 2}, 7, raw_bytes(f32), true},
                                      {"c", 6, false, {2, 1}, 9, raw_bytes(f64), true},
                                      {"a_longer_name", 14, false, {2, 1}, 12, raw_bytes(i64), false},
                                  }));
    const MatFile file((dir / "types.mat").string());
    CHECK(file.read("a").to_double() == std::vector<double>{-300, 0, 300});
    CHECK(file.read("b").to_double() == std::vector<double>{0.25, -8.5});
    CHECK(file.read("c").to_double() == f64);
    CHECK(file.read("a_longer_name").to_double() == std::vector<double>{-1099511627776.0, 5});
}

TEST_CASE("mat: errors name the file, the problem and the MAT v5 format", "[core-images][mat][errors]") {
    const auto dir = scratch_dir("mat-errors");
    const std::string format = "expected a MATLAB 5.0 MAT-file (MAT v5, little endian)";
    const Bytes good = mat_bytes(cars_like(true));

    SECTION("missing file") {
        CHECK_THAT(data_file_error_of([&] { MatFile((dir / "absent.mat").string()); }),
                   Contains("absent.mat") && Contains("cannot open") && Contains(format));
    }
    SECTION("too short for a header") {
        write_file(dir / "short.mat", Bytes(good.begin(), good.begin() + 100));
        CHECK_THAT(data_file_error_of([&] { MatFile((dir / "short.mat").string()); }),
                   Contains("short.mat") && Contains("too short") && Contains(format));
    }
    SECTION("not a MAT-file") {
        write_file(dir / "text.mat", Bytes(200, 'x'));
        CHECK_THAT(data_file_error_of([&] { MatFile((dir / "text.mat").string()); }),
                   Contains("text.mat") && Contains("MATLAB 5.0 MAT-file") && Contains(format));
    }
    SECTION("MAT v7.3 (HDF5)") {
        Bytes b = good;
        const std::string v73 = "MATLAB 7.3 MAT-file";
        std::copy(v73.begin(), v73.end(), b.begin());
        write_file(dir / "v73.mat", b);
        CHECK_THAT(data_file_error_of([&] { MatFile((dir / "v73.mat").string()); }), Contains("v7.3"));
    }
    SECTION("big endian") {
        Bytes b = good;
        b[126] = 'M';
        b[127] = 'I';
        write_file(dir / "big.mat", b);
        CHECK_THAT(data_file_error_of([&] { MatFile((dir / "big.mat").string()); }), Contains("big-endian"));
    }
    SECTION("truncated inside the last element") {
        write_file(dir / "cut.mat", Bytes(good.begin(), good.end() - 30));
        CHECK_THAT(data_file_error_of([&] { MatFile((dir / "cut.mat").string()); }),
                   Contains("cut.mat") && Contains("truncated") && Contains(format));
    }
    SECTION("truncated mid-tag") {
        write_file(dir / "tag.mat", Bytes(good.begin(), good.begin() + 128 + 5));
        CHECK_THAT(data_file_error_of([&] { MatFile((dir / "tag.mat").string()); }),
                   Contains("tag.mat") && Contains("truncated"));
    }
    SECTION("a missing variable") {
        write_file(dir / "car.mat", good);
        const MatFile file((dir / "car.mat").string());
        CHECK_THAT(data_file_error_of([&] { file.read("images"); }),
                   Contains("car.mat") && Contains("no variable 'images'") &&
                       Contains("PITCH_LIST, YAW_LIST, im, mask"));
    }
    SECTION("compressed data that stops early") {
        // The element's tag is consistent with the file, but its zlib stream is cut in half.
        const Bytes element = mat_matrix_element(cars_like(true)[2]);
        Bytes packed = zlib_compress(element);
        packed.resize(packed.size() / 2);
        Bytes b = mat_bytes({});
        put_u32(b, 15);
        put_u32(b, static_cast<uint32_t>(packed.size()));
        b.insert(b.end(), packed.begin(), packed.end());
        write_file(dir / "half.mat", b);
        const MatFile file((dir / "half.mat").string());  // the name is in the first bytes
        CHECK(file.names() == std::vector<std::string>{"im"});
        CHECK_THAT(data_file_error_of([&] { file.read("im"); }),
                   Contains("half.mat") && Contains("ends early") && Contains(format));
    }
    SECTION("corrupt compressed data") {
        const Bytes element = mat_matrix_element(cars_like(true)[2]);
        Bytes packed = zlib_compress(element);
        for (size_t i = packed.size() - 12; i < packed.size(); ++i) packed[i] ^= 0xA5;  // the tail and checksum
        Bytes b = mat_bytes({});
        put_u32(b, 15);
        put_u32(b, static_cast<uint32_t>(packed.size()));
        b.insert(b.end(), packed.begin(), packed.end());
        write_file(dir / "corrupt.mat", b);
        const MatFile file((dir / "corrupt.mat").string());
        CHECK_THAT(data_file_error_of([&] { file.read("im"); }), Contains("corrupt.mat") && Contains(format));
    }
    SECTION("a real part of the wrong size") {
        std::vector<MatVariableSpec> vars = cars_like(false);
        vars[2].data.resize(100);
        write_file(dir / "size.mat", mat_bytes(vars));
        const MatFile file((dir / "size.mat").string());
        CHECK_THAT(data_file_error_of([&] { file.read("im"); }),
                   Contains("variable 'im'") && Contains("100 bytes, 144 elements of 1 bytes were expected"));
    }
    SECTION("unsupported classes") {
        write_file(dir / "char.mat", mat_bytes({{"s", 4, false, {1, 2}, 4, Bytes{'h', 0, 'i', 0}, false}}));
        const MatFile file((dir / "char.mat").string());
        CHECK_THAT(data_file_error_of([&] { file.read("s"); }),
                   Contains("only real numeric and logical arrays are supported (class 4)"));
    }
}
