// core.shapes3d on small HDF5 files written with libhdf5 in 3dshapes.h5's layout (images
// uint8 [N, 64, 64, 3] chunked and gzip-compressed, labels float64 [N, 6]): the pixels decoded
// once into the cache (or mapped in place when contiguous), the label values turned into
// class indices; and the errors for a missing, truncated, non-HDF5 or misshapen file.
#include "data_harness.hpp"
#include "file_writers.hpp"
#include "hdf5_writer.hpp"
#include "images_test_support.hpp"
#include "shapes3d_data.hpp"
#include "shapes3d_reader.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

using namespace idlab::test;
using idlab::images::ImageSet;
using idlab::images::Shapes3dData;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

constexpr int64_t kImages = 10;

// Labels as in the official file: hues in tenths, scale linspace(0.75, 1.25, 8), shape 0..3,
// orientation linspace(-30, 30, 15); here a few of each, in the file's factor order.
struct Shapes3dFixture {
    std::vector<uint8_t> pixels;
    std::vector<double> labels;
    std::vector<std::vector<int64_t>> classes;

    Shapes3dFixture() : pixels(static_cast<size_t>(kImages * 64 * 64 * 3)) {
        for (size_t p = 0; p < pixels.size(); ++p) pixels[p] = static_cast<uint8_t>((p * 31 + p / 12288 * 7) % 256);
        for (int64_t i = 0; i < kImages; ++i) {
            const int64_t floor = i % 2, shape = i % 4, orient = i % 5;
            const int64_t scale = i < 5 ? 7 : 0;
            labels.insert(labels.end(), {0.1 * static_cast<double>(floor), 0.9, 0.1 * static_cast<double>(i % 3),
                                         0.75 + 0.5 * static_cast<double>(scale) / 7.0, static_cast<double>(shape),
                                         -30.0 + 60.0 * static_cast<double>(orient * 3) / 14.0});
            classes.push_back({floor, 0, i % 3, scale == 7 ? 1 : 0, shape, orient});
        }
    }
    void write(const fs::path& path, hsize_t chunk_rows = 4) const {
        write_hdf5(path.string(), {{"images", {kImages, 64, 64, 3}, H5T_NATIVE_UCHAR, pixels.data(), chunk_rows},
                                   {"labels", {kImages, 6}, H5T_NATIVE_DOUBLE, labels.data(), chunk_rows}});
    }
};

size_t files_in(const fs::path& dir) {
    if (!fs::exists(dir)) return 0;
    return static_cast<size_t>(std::distance(fs::directory_iterator(dir), fs::directory_iterator{}));
}

}  // namespace

TEST_CASE("shapes3d: chunked, compressed images decoded once into the cache", "[core-images][shapes3d]") {
    const auto dir = scratch_dir("shapes3d-read");
    const Shapes3dFixture fx;
    fx.write(dir / "3dshapes.h5");
    for (int pass = 0; pass < 2; ++pass) {
        const ImageSet set = idlab::images::read_shapes3d_h5((dir / "3dshapes.h5").string(), (dir / "cache").string());
        CHECK(set.count == kImages);
        CHECK(set.channels == 3);
        CHECK(set.factor_names ==
              std::vector<std::string>{"floorCol", "wallCol", "objCol", "objSize", "objType", "objAzimuth"});
        CHECK(set.factor_sizes == std::vector<int64_t>{2, 1, 3, 2, 4, 5});
        CHECK(set.target_factor == 4);
        for (int64_t i = 0; i < kImages; ++i)
            for (int64_t f = 0; f < 6; ++f) CHECK(set.factor_class(i, f) == fx.classes[static_cast<size_t>(i)][static_cast<size_t>(f)]);
        CHECK(std::vector<uint8_t>(set.pixels, set.pixels + fx.pixels.size()) == fx.pixels);
        CHECK(files_in(dir / "cache") == 1);
    }
}

TEST_CASE("shapes3d: a contiguous, uncompressed dataset is mapped in place", "[core-images][shapes3d]") {
    const auto dir = scratch_dir("shapes3d-contiguous");
    const Shapes3dFixture fx;
    fx.write(dir / "3dshapes.h5", 0);
    const ImageSet set = idlab::images::read_shapes3d_h5((dir / "3dshapes.h5").string(), (dir / "cache").string());
    CHECK(std::vector<uint8_t>(set.pixels, set.pixels + fx.pixels.size()) == fx.pixels);
    CHECK(files_in(dir / "cache") == 0);
}

TEST_CASE("shapes3d data: fields and the objType label", "[core-images][shapes3d]") {
    const auto dir = scratch_dir("shapes3d-data");
    const Shapes3dFixture fx;
    fx.write(dir / "3dshapes.h5");
    ConfigBuilder config;
    config.set_string("path", (dir / "3dshapes.h5").string()).set_string("cache_dir", (dir / "cache").string());
    auto data = make_data<Shapes3dData>(with_evaluation(config));
    CHECK(data->fields()[1].cardinality == 4);
    const FieldBatch b = draw_fields(*data, IDLAB_RNG_STREAM_TRAIN, 8);
    for (int64_t j = 0; j < 8; ++j) {
        const int64_t i = b["index"][j];
        CHECK(b["label"][j] == i % 4);
        CHECK(b["objType"][j] == i % 4);
        // channel-major x: channel 2 of pixel 0 is byte 2 of the HWC image
        CHECK(b.floats.at("x")[j * 12288 + 2 * 4096] == static_cast<float>(fx.pixels[i * 12288 + 2]) / 255.0f);
    }
}

TEST_CASE("shapes3d data: a missing, truncated, foreign or misshapen file names file, format and source", "[core-images][shapes3d][errors]") {
    const auto dir = scratch_dir("shapes3d-errors");
    const Shapes3dFixture fx;
    fx.write(dir / "good.h5");
    auto error_for = [&](const std::string& name) {
        ConfigBuilder config;
        config.set_string("path", (dir / name).string()).set_string("cache_dir", (dir / "cache").string());
        const idlab::Error e = data_creation_error<Shapes3dData>(with_evaluation(config));
        CHECK(e.param_key() == "path");
        const std::string m = e.what();
        CHECK_THAT(m, Contains("core.shapes3d") && Contains(name) && Contains("github.com/deepmind/3d-shapes") &&
                          Contains("HDF5"));
        return m;
    };
    CHECK_THAT(error_for("missing.h5"), Contains("does not exist"));

    const Bytes good = read_file(dir / "good.h5");
    write_file(dir / "truncated.h5", Bytes(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(good.size() / 3)));
    CHECK_THAT(error_for("truncated.h5"), Contains("truncated"));

    write_file(dir / "text.h5", Bytes(4000, 'x'));
    CHECK_THAT(error_for("text.h5"), Contains("not an HDF5 file"));

    const std::vector<uint8_t> small(kImages * 32 * 32 * 3);
    write_hdf5((dir / "small.h5").string(), {{"images", {kImages, 32, 32, 3}, H5T_NATIVE_UCHAR, small.data(), 0},
                                             {"labels", {kImages, 6}, H5T_NATIVE_DOUBLE, fx.labels.data(), 0}});
    CHECK_THAT(error_for("small.h5"), Contains("small.h5[images]") && Contains("uint8 (10, 32, 32, 3)"));

    write_hdf5((dir / "unlabelled.h5").string(), {{"images", {kImages, 64, 64, 3}, H5T_NATIVE_UCHAR, fx.pixels.data(), 0}});
    CHECK_THAT(error_for("unlabelled.h5"), Contains("no dataset 'labels'"));
    CHECK(files_in(dir / "cache") == 0);
}
