// The .npy reader: dtypes, shapes and values of files the test writes; the header checks
// (magic, version, dict, fortran_order, dtypes it cannot read) and truncated data, each
// reported with the file name and the format expected.
#include "file_writers.hpp"
#include "images_test_support.hpp"
#include "npy_array.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

using namespace idlab::test;
using idlab::images::load_npy;
using idlab::images::NpyArray;
using Catch::Matchers::Contains;

TEST_CASE("npy: uint8, int64, float64 and float32 arrays read back with shape and values", "[core-images][npy]") {
    const auto dir = scratch_dir("npy-values");
    const std::vector<uint8_t> u8 = {0, 1, 2, 250, 251, 255};
    const std::vector<int64_t> i8 = {-5, 0, 7, int64_t{1} << 40};
    const std::vector<double> f8 = {0.5, -1.25, 3e100};
    const std::vector<float> f4 = {1.5f, -2.0f};
    write_file(dir / "u8.npy", npy_bytes("|u1", "(2, 3)", raw_bytes(u8)));
    write_file(dir / "i8.npy", npy_bytes("<i8", "(4,)", raw_bytes(i8)));
    write_file(dir / "f8.npy", npy_bytes("<f8", "(1, 3, 1)", raw_bytes(f8), false, 2));
    write_file(dir / "f4.npy", npy_bytes("<f4", "(2,)", raw_bytes(f4), false, 3));

    const NpyArray a = load_npy((dir / "u8.npy").string());
    CHECK(a.dtype().kind == 'u');
    CHECK(a.dtype().itemsize == 1);
    CHECK(a.shape() == std::vector<int64_t>{2, 3});
    CHECK(a.element_count() == 6);
    CHECK(std::vector<uint8_t>(a.bytes(), a.bytes() + a.byte_count()) == u8);
    CHECK(a.to_vector<int64_t>() == std::vector<int64_t>{0, 1, 2, 250, 251, 255});
    a.require("|u1", {2, -1});

    const NpyArray b = load_npy((dir / "i8.npy").string());
    CHECK(b.shape() == std::vector<int64_t>{4});
    CHECK(b.to_vector<int64_t>() == i8);
    CHECK(b.to_vector<double>()[3] == Approx(1099511627776.0));
    b.require("<i8", {4});

    const NpyArray c = load_npy((dir / "f8.npy").string());  // format 2.0
    CHECK(c.shape() == std::vector<int64_t>{1, 3, 1});
    CHECK(c.to_vector<double>() == f8);

    const NpyArray d = load_npy((dir / "f4.npy").string());  // format 3.0
    CHECK(d.to_vector<float>() == f4);
    CHECK(d.to_vector<double>() == std::vector<double>{1.5, -2.0});
}

TEST_CASE("npy: zero-dimensional and empty arrays", "[core-images][npy]") {
    const auto dir = scratch_dir("npy-shapes");
    write_file(dir / "scalar.npy", npy_bytes("<i8", "()", raw_bytes(std::vector<int64_t>{42})));
    write_file(dir / "empty.npy", npy_bytes("<f8", "(0, 5)", {}));
    const NpyArray s = load_npy((dir / "scalar.npy").string());
    CHECK(s.shape().empty());
    CHECK(s.element_count() == 1);
    CHECK(s.to_vector<int64_t>() == std::vector<int64_t>{42});
    const NpyArray e = load_npy((dir / "empty.npy").string());
    CHECK(e.shape() == std::vector<int64_t>{0, 5});
    CHECK(e.element_count() == 0);
}

TEST_CASE("npy: require() names the dtype and shape found and expected", "[core-images][npy]") {
    const auto dir = scratch_dir("npy-require");
    write_file(dir / "a.npy", npy_bytes("<i8", "(3, 2)", raw_bytes(std::vector<int64_t>(6, 1))));
    const NpyArray a = load_npy((dir / "a.npy").string());
    const std::string wrong_type = data_file_error_of([&] { a.require("|u1"); });
    CHECK_THAT(wrong_type, Contains("a.npy") && Contains("'<i8'") && Contains("(3, 2)") && Contains("'|u1'"));
    const std::string wrong_shape = data_file_error_of([&] { a.require("<i8", {3, 3}); });
    CHECK_THAT(wrong_shape, Contains("expected dtype '<i8' and shape (3, 3)"));
    const std::string wrong_rank = data_file_error_of([&] { a.require("<i8", {6}); });
    CHECK_THAT(wrong_rank, Contains("shape (6,)"));
}

TEST_CASE("npy: errors name the file, the problem and the .npy format", "[core-images][npy][errors]") {
    const auto dir = scratch_dir("npy-errors");
    const std::string format = "expected a NumPy .npy file";
    const Bytes good = npy_bytes("<f8", "(4,)", raw_bytes(std::vector<double>{1, 2, 3, 4}));

    SECTION("missing file") {
        const std::string m = data_file_error_of([&] { load_npy((dir / "absent.npy").string()); });
        CHECK_THAT(m, Contains("absent.npy") && Contains("cannot open") && Contains(format));
    }
    SECTION("a folder instead of a file") {
        const std::string m = data_file_error_of([&] { load_npy(dir.string()); });
        CHECK_THAT(m, Contains("is a directory") && Contains(format));
    }
    SECTION("empty file") {
        write_file(dir / "empty.npy", {});
        CHECK_THAT(data_file_error_of([&] { load_npy((dir / "empty.npy").string()); }),
                   Contains("empty.npy") && Contains("too short") && Contains(format));
    }
    SECTION("wrong magic") {
        Bytes b = good;
        b[1] = 'X';
        write_file(dir / "magic.npy", b);
        CHECK_THAT(data_file_error_of([&] { load_npy((dir / "magic.npy").string()); }),
                   Contains("magic.npy") && Contains("magic") && Contains(format));
    }
    SECTION("unknown version") {
        Bytes b = good;
        b[6] = 9;
        write_file(dir / "version.npy", b);
        CHECK_THAT(data_file_error_of([&] { load_npy((dir / "version.npy").string()); }),
                   Contains("version 9.0"));
    }
    SECTION("truncated data") {
        Bytes b = good;
        b.resize(b.size() - 3);
        write_file(dir / "short.npy", b);
        CHECK_THAT(data_file_error_of([&] { load_npy((dir / "short.npy").string()); }),
                   Contains("short.npy") && Contains("truncated") && Contains("needs 32 data bytes, only 29") &&
                       Contains(format));
    }
    SECTION("truncated header") {
        Bytes b = good;
        b.resize(40);
        write_file(dir / "cut.npy", b);
        CHECK_THAT(data_file_error_of([&] { load_npy((dir / "cut.npy").string()); }),
                   Contains("cut.npy") && Contains("truncated") && Contains(format));
    }
    SECTION("fortran order") {
        write_file(dir / "fortran.npy", npy_bytes("<f8", "(2, 2)", raw_bytes(std::vector<double>(4)), true));
        CHECK_THAT(data_file_error_of([&] { load_npy((dir / "fortran.npy").string()); }),
                   Contains("fortran.npy") && Contains("fortran_order is True"));
    }
    SECTION("object arrays (pickles)") {
        write_file(dir / "object.npy", npy_bytes("|O", "()", Bytes(16, 0)));
        CHECK_THAT(data_file_error_of([&] { load_npy((dir / "object.npy").string()); }),
                   Contains("'|O'") && Contains("pickled"));
    }
    SECTION("big endian") {
        write_file(dir / "big.npy", npy_bytes(">f8", "(1,)", Bytes(8, 0)));
        CHECK_THAT(data_file_error_of([&] { load_npy((dir / "big.npy").string()); }), Contains("big-endian"));
    }
    SECTION("complex and string dtypes") {
        write_file(dir / "complex.npy", npy_bytes("<c16", "(1,)", Bytes(16, 0)));
        CHECK_THAT(data_file_error_of([&] { load_npy((dir / "complex.npy").string()); }),
                   Contains("unsupported dtype '<c16'"));
        write_file(dir / "odd.npy", npy_bytes("<i3", "(1,)", Bytes(3, 0)));
        CHECK_THAT(data_file_error_of([&] { load_npy((dir / "odd.npy").string()); }), Contains("bad item size"));
    }
    SECTION("damaged header dict") {
        Bytes b = good;
        const std::string text(b.begin(), b.end());
        b[text.find("shape")] = 'X';  // an unknown key
        write_file(dir / "dict.npy", b);
        CHECK_THAT(data_file_error_of([&] { load_npy((dir / "dict.npy").string()); }),
                   Contains("bad .npy header") && Contains("Xhape"));
        Bytes c = good;
        c[text.find('(')] = '[';
        write_file(dir / "tuple.npy", c);
        CHECK_THAT(data_file_error_of([&] { load_npy((dir / "tuple.npy").string()); }),
                   Contains("bad .npy header"));
    }
}
