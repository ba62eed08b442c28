// The cache of decoded arrays: a file is produced once and mapped afterwards, never left half
// written, and a deflated .npz member is inflated into it (CRC checked) while a stored one is
// mapped in place; the cache folder comes from cache_dir, else IDLAB_CACHE.
#include "data_cache.hpp"
#include "data_harness.hpp"
#include "file_writers.hpp"
#include "images_test_support.hpp"
#include "npz_archive.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

using namespace idlab::test;
using idlab::images::CacheWriter;
using idlab::images::NpyArray;
using idlab::images::NpzArchive;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

std::vector<uint8_t> pattern(size_t n) {
    std::vector<uint8_t> v(n);
    for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>((i * 11 + i / 17) % 253);
    return v;
}

size_t files_in(const fs::path& dir) {
    size_t n = 0;
    for (const auto& entry : fs::directory_iterator(dir)) n += entry.is_regular_file();
    return n;
}

}  // namespace

TEST_CASE("cache: a file is produced once, then mapped", "[core-images][cache]") {
    const auto dir = scratch_dir("cache-once");
    int produced = 0;
    auto produce = [&](CacheWriter& out) {
        ++produced;
        const std::vector<uint8_t> bytes = pattern(1000);
        out.write(bytes.data(), 600);
        out.write(bytes.data() + 600, 400);
    };
    auto a = idlab::images::cached_file(dir.string(), "a.u8", 1000, "test bytes", produce);
    auto b = idlab::images::cached_file(dir.string(), "a.u8", 1000, "test bytes", produce);
    CHECK(produced == 1);
    REQUIRE(b->size() == 1000);
    CHECK(std::vector<uint8_t>(b->data(), b->data() + 1000) == pattern(1000));
    CHECK(files_in(dir) == 1);
    // A file of another size is not the one asked for: it is produced anew.
    write_file(dir / "c.u8", Bytes(10, 0));
    auto c = idlab::images::cached_file(dir.string(), "c.u8", 1000, "test bytes", produce);
    CHECK(produced == 2);
    CHECK(c->size() == 1000);
}

TEST_CASE("cache: a failed or short production leaves no file", "[core-images][cache]") {
    const auto dir = scratch_dir("cache-failure");
    CHECK_THROWS(idlab::images::cached_file(dir.string(), "x.u8", 100, "test bytes", [](CacheWriter& out) {
        const std::vector<uint8_t> bytes(50, 1);
        out.write(bytes.data(), bytes.size());
        throw std::runtime_error("decoder gave up");
    }));
    const std::string short_message = data_file_error_of([&] {
        idlab::images::cached_file(dir.string(), "y.u8", 100, "test bytes", [](CacheWriter& out) {
            const std::vector<uint8_t> bytes(50, 1);
            out.write(bytes.data(), bytes.size());
        });
    });
    CHECK_THAT(short_message, Contains("wrote 50 of the 100 bytes"));
    const std::string long_message = data_file_error_of([&] {
        idlab::images::cached_file(dir.string(), "z.u8", 10, "test bytes", [](CacheWriter& out) {
            const std::vector<uint8_t> bytes(50, 1);
            out.write(bytes.data(), bytes.size());
        });
    });
    CHECK_THAT(long_message, Contains("more data than the 10 bytes expected"));
    CHECK(files_in(dir) == 0);
}

TEST_CASE("cache: the folder is cache_dir, else IDLAB_CACHE", "[core-images][cache]") {
    const auto dir = scratch_dir("cache-folder");
    CHECK(idlab::images::cache_directory((dir / "given").string()) == (dir / "given").string());
    CHECK(fs::is_directory(dir / "given"));
    ScopedEnv env("IDLAB_CACHE", (dir / "from-env/").string().c_str());
    CHECK(idlab::images::cache_directory("") == (dir / "from-env").string());
    CHECK(fs::is_directory(dir / "from-env"));
    CHECK(idlab::images::cache_file_name("a b/c.npz[imgs.npy]") == "a_b_c.npz_imgs.npy_");
}

TEST_CASE("npz: load_cached inflates a deflated member once and maps a stored one in place", "[core-images][cache][npz]") {
    const auto dir = scratch_dir("cache-npz");
    const std::vector<uint8_t> pixels = pattern(6 * 8 * 8);
    write_file(dir / "data.npz", zip_bytes({{"imgs.npy", npy_bytes("|u1", "(6, 8, 8)", raw_bytes(pixels)), true},
                                            {"plain.npy", npy_bytes("|u1", "(6, 8, 8)", raw_bytes(pixels)), false}}));
    const auto cache = dir / "cache";
    const NpzArchive npz((dir / "data.npz").string());
    {
        const NpyArray a = npz.load_cached("imgs", cache.string());
        a.require("|u1", {6, 8, 8});
        CHECK(std::vector<uint8_t>(a.bytes(), a.bytes() + a.byte_count()) == pixels);
        CHECK_THAT(a.source(), Contains("data.npz[imgs.npy]"));  // errors name the archive, not the cache
    }
    REQUIRE(files_in(cache) == 1);
    const fs::path cached = fs::directory_iterator(cache)->path();
    CHECK_THAT(cached.filename().string(), Contains("data.npz.imgs.npy.") && Contains(".npy"));
    const auto written = fs::last_write_time(cached);
    const NpyArray again = npz.load_cached("imgs", cache.string());
    CHECK(fs::last_write_time(cached) == written);  // mapped, not written again
    CHECK(std::vector<uint8_t>(again.bytes(), again.bytes() + again.byte_count()) == pixels);

    const NpyArray plain = npz.load_cached("plain", cache.string());
    CHECK(std::vector<uint8_t>(plain.bytes(), plain.bytes() + plain.byte_count()) == pixels);
    CHECK(files_in(cache) == 1);  // the stored member needed no cache file
}

TEST_CASE("npz: load_cached of a corrupt member fails and caches nothing", "[core-images][cache][npz][errors]") {
    const auto dir = scratch_dir("cache-npz-corrupt");
    const std::vector<uint8_t> pixels = pattern(64 * 64 * 4);
    Bytes zip = zip_bytes({{"imgs.npy", npy_bytes("|u1", "(4, 64, 64)", raw_bytes(pixels)), true}});
    // A wrong CRC in the central directory (entry of 46 + 8 name bytes before the 22-byte end
    // record; the CRC at offset 16): the data inflate fine but do not match it.
    Bytes bad_crc = zip;
    bad_crc[zip.size() - 22 - (46 + 8) + 16] ^= 0xFF;
    write_file(dir / "crc.npz", bad_crc);
    const auto cache = dir / "cache";
    const std::string message =
        data_file_error_of([&] { NpzArchive((dir / "crc.npz").string()).load_cached("imgs", cache.string()); });
    CHECK_THAT(message, Contains("crc.npz[imgs.npy]") && Contains("CRC-32 mismatch") && Contains("NumPy .npz"));
    CHECK(files_in(cache) == 0);

    // Damaged deflate data.
    Bytes damaged = zip;
    for (size_t i = 100; i < 140; ++i) damaged[i] ^= 0x5A;
    write_file(dir / "damaged.npz", damaged);
    const std::string broken =
        data_file_error_of([&] { NpzArchive((dir / "damaged.npz").string()).load_cached("imgs", cache.string()); });
    CHECK_THAT(broken, Contains("damaged.npz[imgs.npy]") && Contains("NumPy .npz"));
    CHECK(files_in(cache) == 0);
}
