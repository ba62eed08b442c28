// The .npz reader: stored and deflated members (as numpy's savez and savez_compressed write
// them, zip64 extras in the local headers included), keys, and the errors for a missing
// archive or member, a truncated archive, corrupt deflate data and a CRC mismatch.
#include "file_writers.hpp"
#include "images_test_support.hpp"
#include "npz_archive.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <vector>

using namespace idlab::test;
using idlab::images::NpyArray;
using idlab::images::NpzArchive;
using Catch::Matchers::Contains;

namespace {

// Pixels with some structure, so that deflate has work to do and mix-ups show.
std::vector<uint8_t> pattern(size_t n) {
    std::vector<uint8_t> v(n);
    for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>((i * 7 + i / 13) % 251);
    return v;
}

std::vector<ZipMember> three_members(bool deflate) {
    return {
        {"images.npy", npy_bytes("|u1", "(10, 4, 4, 3)", raw_bytes(pattern(480))), deflate},
        {"factors.npy", npy_bytes("<i8", "(10, 2)", raw_bytes(std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
                                                                                   10, 11, 12, 13, 14, 15, 16, 17,
                                                                                   18, 19})),
         deflate},
        {"factor_sizes.npy", npy_bytes("<i8", "(2,)", raw_bytes(std::vector<int64_t>{5, 2})), deflate},
    };
}

void check_three_members(const NpzArchive& npz) {
    CHECK(npz.keys() == std::vector<std::string>{"images", "factors", "factor_sizes"});
    CHECK(npz.contains("images"));
    CHECK(npz.contains("images.npy"));
    CHECK_FALSE(npz.contains("labels"));
    const NpyArray images = npz.load("images");
    images.require("|u1", {10, 4, 4, 3});
    CHECK(std::vector<uint8_t>(images.bytes(), images.bytes() + images.byte_count()) == pattern(480));
    const NpyArray factors = npz.load("factors.npy");
    factors.require("<i8", {10, 2});
    CHECK(factors.to_vector<int64_t>()[19] == 19);
    CHECK(npz.load("factor_sizes").to_vector<int64_t>() == std::vector<int64_t>{5, 2});
}

}  // namespace

TEST_CASE("npz: stored members (numpy.savez) are read in place", "[core-images][npz]") {
    const auto dir = scratch_dir("npz-stored");
    write_file(dir / "a.npz", zip_bytes(three_members(false)));
    const NpzArchive npz((dir / "a.npz").string());
    check_three_members(npz);
    // In place: the array's bytes lie inside the archive's bytes as written.
    const Bytes file = read_file(dir / "a.npz");
    const NpyArray images = npz.load("images");
    const Bytes pixels = raw_bytes(pattern(480));
    CHECK(std::search(file.begin(), file.end(), pixels.begin(), pixels.end()) != file.end());
    CHECK(images.source() == (dir / "a.npz").string() + "[images.npy]");
}

TEST_CASE("npz: deflated members (numpy.savez_compressed) are inflated", "[core-images][npz]") {
    const auto dir = scratch_dir("npz-deflate");
    write_file(dir / "a.npz", zip_bytes(three_members(true)));
    check_three_members(NpzArchive((dir / "a.npz").string()));
}

TEST_CASE("npz: local headers without the zip64 extra and mixed methods", "[core-images][npz]") {
    const auto dir = scratch_dir("npz-mixed");
    std::vector<ZipMember> members = three_members(false);
    members[1].deflate = true;
    write_file(dir / "a.npz", zip_bytes(members, false));
    check_three_members(NpzArchive((dir / "a.npz").string()));
}

TEST_CASE("npz: the arrays outlive the archive object", "[core-images][npz]") {
    const auto dir = scratch_dir("npz-lifetime");
    write_file(dir / "stored.npz", zip_bytes(three_members(false)));
    write_file(dir / "deflate.npz", zip_bytes(three_members(true)));
    NpyArray stored, inflated;
    {
        const NpzArchive a((dir / "stored.npz").string());
        const NpzArchive b((dir / "deflate.npz").string());
        stored = a.load("images");
        inflated = b.load("images");
    }
    CHECK(std::vector<uint8_t>(stored.bytes(), stored.bytes() + stored.byte_count()) == pattern(480));
    CHECK(std::vector<uint8_t>(inflated.bytes(), inflated.bytes() + inflated.byte_count()) == pattern(480));
}

TEST_CASE("npz: errors name the file, the problem and the .npz format", "[core-images][npz][errors]") {
    const auto dir = scratch_dir("npz-errors");
    const std::string format = "expected a NumPy .npz archive";
    const Bytes stored = zip_bytes(three_members(false));
    const Bytes deflated = zip_bytes(three_members(true));

    SECTION("missing archive") {
        CHECK_THAT(data_file_error_of([&] { NpzArchive((dir / "absent.npz").string()); }),
                   Contains("absent.npz") && Contains("cannot open") && Contains(format));
    }
    SECTION("not a ZIP file") {
        write_file(dir / "plain.npz", npy_bytes("|u1", "(3,)", Bytes{1, 2, 3}));
        CHECK_THAT(data_file_error_of([&] { NpzArchive((dir / "plain.npz").string()); }),
                   Contains("plain.npz") && Contains("no ZIP end-of-central-directory record") && Contains(format));
    }
    SECTION("truncated archive: the end record is gone") {
        Bytes b = deflated;
        b.resize(b.size() / 2);
        write_file(dir / "half.npz", b);
        CHECK_THAT(data_file_error_of([&] { NpzArchive((dir / "half.npz").string()); }),
                   Contains("half.npz") && Contains("truncated") && Contains(format));
    }
    SECTION("tiny file") {
        write_file(dir / "tiny.npz", Bytes{'P', 'K'});
        CHECK_THAT(data_file_error_of([&] { NpzArchive((dir / "tiny.npz").string()); }),
                   Contains("too short for a ZIP archive"));
    }
    SECTION("missing member") {
        write_file(dir / "a.npz", stored);
        const NpzArchive npz((dir / "a.npz").string());
        CHECK_THAT(data_file_error_of([&] { npz.load("labels"); }),
                   Contains("a.npz") && Contains("no array 'labels'") &&
                       Contains("images, factors, factor_sizes"));
    }
    SECTION("member data cut short inside the archive") {
        // Point the first member's local header past the end of the file.
        Bytes b = stored;
        const size_t end = b.size() - 22;
        const size_t directory = b[end + 16] | (b[end + 17] << 8) | (b[end + 18] << 16) | (b[end + 19] << 24);
        b[directory + 42] = 0xF0;
        b[directory + 43] = 0xFF;
        write_file(dir / "offset.npz", b);
        const NpzArchive npz((dir / "offset.npz").string());
        CHECK_THAT(data_file_error_of([&] { npz.load("images"); }),
                   Contains("offset.npz[images.npy]") && Contains("local header") && Contains(format));
    }
    SECTION("corrupt deflate data") {
        Bytes b = deflated;
        // The first member's compressed bytes start after its 30-byte header, name and extra.
        const size_t start = 30 + std::string("images.npy").size() + 20;
        for (size_t i = start + 5; i < start + 40; ++i) b[i] ^= 0x5A;
        write_file(dir / "corrupt.npz", b);
        const NpzArchive npz((dir / "corrupt.npz").string());
        const std::string m = data_file_error_of([&] { npz.load("images"); });
        CHECK_THAT(m, Contains("corrupt.npz[images.npy]") && Contains(format));
        CHECK_THAT(m, Contains("corrupt") || Contains("CRC") || Contains("ends"));
    }
    SECTION("CRC mismatch in a deflated member") {
        Bytes b = deflated;
        b[14] ^= 0xFF;  // the local header's CRC is not read; the central directory's is
        const size_t end = b.size() - 22;
        const size_t directory = b[end + 16] | (b[end + 17] << 8) | (b[end + 18] << 16) | (b[end + 19] << 24);
        b[directory + 16] ^= 0xFF;
        write_file(dir / "crc.npz", b);
        const NpzArchive npz((dir / "crc.npz").string());
        CHECK_THAT(data_file_error_of([&] { npz.load("images"); }),
                   Contains("crc.npz[images.npy]") && Contains("CRC-32 mismatch"));
    }
    SECTION("unsupported compression method") {
        Bytes b = stored;
        const size_t end = b.size() - 22;
        const size_t directory = b[end + 16] | (b[end + 17] << 8) | (b[end + 18] << 16) | (b[end + 19] << 24);
        b[directory + 10] = 12;  // bzip2
        write_file(dir / "bzip2.npz", b);
        const NpzArchive npz((dir / "bzip2.npz").string());
        CHECK_THAT(data_file_error_of([&] { npz.load("images"); }), Contains("compression method 12"));
    }
    SECTION("a truncated .npy inside a stored member") {
        std::vector<ZipMember> members = three_members(false);
        members[0].data.resize(members[0].data.size() - 10);
        write_file(dir / "short.npz", zip_bytes(members));
        const NpzArchive npz((dir / "short.npz").string());
        CHECK_THAT(data_file_error_of([&] { npz.load("images"); }),
                   Contains("short.npz[images.npy]") && Contains("truncated"));
    }
}
