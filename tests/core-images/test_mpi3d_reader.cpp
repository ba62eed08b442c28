// core.mpi3d's reader on small .npz files in the published layout (one member, images uint8
// [N, 64, 64, 3] in factor order, last factor fastest): a stored member (np.savez, as
// published) mapped in place, a deflated one through the cache; the grid's factor classes;
// and the errors for a wrong image count, a missing member or file.
#include "data_harness.hpp"
#include "file_writers.hpp"
#include "images_test_support.hpp"
#include "mpi3d_data.hpp"
#include "mpi3d_reader.hpp"
#include "npz_archive.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

using namespace idlab::test;
using idlab::images::ImageSet;
using idlab::images::Mpi3dData;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

// A 2 x 3 x 1 x 1 x 1 x 2 x 2 grid: 24 images; image i's first byte is i.
const std::vector<int64_t> kSizes = {2, 3, 1, 1, 1, 2, 2};
constexpr int64_t kImages = 24;

Bytes pixels() {
    Bytes b(static_cast<size_t>(kImages * 12288));
    for (size_t p = 0; p < b.size(); ++p) b[p] = static_cast<uint8_t>(p % 12288 == 0 ? p / 12288 : (p * 7) % 256);
    return b;
}

Bytes mpi3d_npz(bool deflate, int64_t images = kImages) {
    Bytes px = pixels();
    px.resize(static_cast<size_t>(images * 12288));
    return zip_bytes({{"images.npy", npy_bytes("|u1", "(" + std::to_string(images) + ", 64, 64, 3)", px), deflate}});
}

size_t files_in(const fs::path& dir) {
    if (!fs::exists(dir)) return 0;
    return static_cast<size_t>(std::distance(fs::directory_iterator(dir), fs::directory_iterator{}));
}

}  // namespace

TEST_CASE("mpi3d: a stored member is mapped in place, with the grid's factors", "[core-images][mpi3d]") {
    const auto dir = scratch_dir("mpi3d-stored");
    write_file(dir / "mpi3d_toy.npz", mpi3d_npz(false));
    const ImageSet set = idlab::images::read_mpi3d_npz((dir / "mpi3d_toy.npz").string(), (dir / "cache").string(), kSizes);
    CHECK(set.count == kImages);
    CHECK(set.factor_names ==
          std::vector<std::string>{"objCol", "objShape", "objSize", "cameraHeight", "backCol", "posX", "posY"});
    CHECK(set.factor_sizes == kSizes);
    CHECK(set.target_factor == 1);
    // Last factor fastest: i = ((col * 3 + shape) * 2 + posX) * 2 + posY.
    for (int64_t i = 0; i < kImages; ++i) {
        CHECK(set.image(i)[0] == i);
        CHECK(set.factor_class(i, 0) == i / 12);
        CHECK(set.factor_class(i, 1) == (i / 4) % 3);
        CHECK(set.factor_class(i, 5) == (i / 2) % 2);
        CHECK(set.factor_class(i, 6) == i % 2);
    }
    CHECK(files_in(dir / "cache") == 0);
}

TEST_CASE("mpi3d: a deflated member goes through the cache", "[core-images][mpi3d]") {
    const auto dir = scratch_dir("mpi3d-deflated");
    write_file(dir / "mpi3d_real.npz", mpi3d_npz(true));
    const ImageSet set = idlab::images::read_mpi3d_npz((dir / "mpi3d_real.npz").string(), (dir / "cache").string(), kSizes);
    const Bytes px = pixels();
    CHECK(std::vector<uint8_t>(set.pixels, set.pixels + px.size()) == px);
    CHECK(files_in(dir / "cache") == 1);
}

TEST_CASE("mpi3d data: the variant picks the file under IDLAB_DATA; errors name file, format and source", "[core-images][mpi3d][errors]") {
    const auto root = scratch_dir("mpi3d-data");
    // The published grid needs 1,036,800 images: a small file is reported as such.
    write_file(root / "mpi3d" / "mpi3d_real.npz", mpi3d_npz(false));
    ScopedEnv env("IDLAB_DATA", root.string().c_str());
    auto error_for = [&](const std::string& variant) {
        ConfigBuilder config;
        config.set_string("variant", variant).set_string("path", "").set_string("cache_dir", (root / "cache").string());
        const idlab::Error e = data_creation_error<Mpi3dData>(with_evaluation(config));
        CHECK(e.param_key() == "path");
        const std::string m = e.what();
        CHECK_THAT(m, Contains("core.mpi3d") && Contains("mpi3d_" + variant + ".npz") &&
                          Contains("rr-learning/disentanglement_dataset"));
        return m;
    };
    CHECK_THAT(error_for("real"), Contains("holds 24 images; the factor grid 6 x 6 x 2 x 3 x 3 x 40 x 40 has 1036800"));
    CHECK_THAT(error_for("toy"), Contains("cannot open"));
    write_file(root / "mpi3d" / "mpi3d_realistic.npz",
               zip_bytes({{"imgs.npy", npy_bytes("|u1", "(1, 64, 64, 3)", Bytes(12288)), false}}));
    CHECK_THAT(error_for("realistic"), Contains("has no array 'images' (it holds: imgs)"));
}
