// core.dsprites on small files written in the official layout (an .npz of deflated members:
// imgs, latents_classes, latents_values and a pickled metadata object array), the images
// inflated once into the cache and mapped; and the errors for a missing, truncated or
// corrupt file, each naming the file, the format and where dSprites is published.
#include "data_harness.hpp"
#include "dsprites_data.hpp"
#include "dsprites_reader.hpp"
#include "file_writers.hpp"
#include "images_test_support.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

using namespace idlab::test;
using idlab::images::DspritesData;
using idlab::images::ImageSet;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

constexpr int64_t kImages = 12;
constexpr const char* kFile = "dsprites_ndarray_co1sh3sc6or40x32y32_64x64.npz";

// A 12-image grid: shape 3 x scale 2 x posY 2 (the other factors fixed), image i with pixel
// p on when (p + i) % 7 == 0.
struct DspritesFixture {
    std::vector<int64_t> classes;  // [12, 6]: color, shape, scale, orientation, posX, posY
    Bytes pixels;

    DspritesFixture() : pixels(static_cast<size_t>(kImages * 64 * 64)) {
        for (int64_t i = 0; i < kImages; ++i) classes.insert(classes.end(), {0, i / 4, (i / 2) % 2, 0, 0, i % 2});
        for (size_t p = 0; p < pixels.size(); ++p) pixels[p] = (p % 4096 + p / 4096) % 7 == 0;
    }
    Bytes npz(bool deflate = true) const {
        std::vector<double> values(classes.begin(), classes.end());
        Bytes pickled = {0x80, 0x02, '}', 'q', 0x00, '.'};  // an empty dict, as pickle protocol 2
        return zip_bytes({{"metadata.npy", npy_bytes("|O", "()", pickled), deflate},
                          {"imgs.npy", npy_bytes("|u1", "(12, 64, 64)", pixels), deflate},
                          {"latents_classes.npy", npy_bytes("<i8", "(12, 6)", raw_bytes(classes)), deflate},
                          {"latents_values.npy", npy_bytes("<f8", "(12, 6)", raw_bytes(values)), deflate}});
    }
};

ConfigBuilder dsprites_config(const std::string& path, const std::string& cache) {
    ConfigBuilder c;
    c.set_string("path", path).set_string("cache_dir", cache).set_float("pixel_divisor", 255.0);
    with_evaluation(c);
    return c;  // moved, not copied: the entries point into the builder's own strings
}

}  // namespace

TEST_CASE("dsprites: the official .npz layout, images through the cache", "[core-images][dsprites-file]") {
    const auto dir = scratch_dir("dsprites-read");
    const DspritesFixture fx;
    write_file(dir / kFile, fx.npz());
    const ImageSet set = idlab::images::read_dsprites_npz((dir / kFile).string(), (dir / "cache").string());
    CHECK(set.count == kImages);
    CHECK(set.channels == 1);
    CHECK(set.factor_names == std::vector<std::string>{"shape", "scale", "orientation", "posX", "posY"});
    CHECK(set.factor_sizes == std::vector<int64_t>{3, 2, 1, 1, 2});
    CHECK(set.target_factor == 0);
    for (int64_t i = 0; i < kImages; ++i) {
        CHECK(set.factor_class(i, 0) == i / 4);
        CHECK(set.factor_class(i, 1) == (i / 2) % 2);
        CHECK(set.factor_class(i, 4) == i % 2);
    }
    CHECK(std::vector<uint8_t>(set.pixels, set.pixels + kImages * 4096) == fx.pixels);
    CHECK(std::distance(fs::directory_iterator(dir / "cache"), fs::directory_iterator{}) == 1);
}

TEST_CASE("dsprites data: fields, labels and pixels scaled like csi's inputs", "[core-images][dsprites-file]") {
    const auto dir = scratch_dir("dsprites-data");
    const DspritesFixture fx;
    write_file(dir / kFile, fx.npz());
    ConfigBuilder config = dsprites_config((dir / kFile).string(), (dir / "cache").string());
    auto data = make_data<DspritesData>(config);
    std::vector<std::string> names;
    for (const auto& f : data->fields()) names.push_back(f.name);
    CHECK(names == std::vector<std::string>{"x", "label", "z", "shape", "scale", "orientation", "posX", "posY",
                                            "index", "split"});
    const FieldBatch b = draw_fields(*data, IDLAB_RNG_STREAM_TRAIN, 16);
    for (int64_t j = 0; j < 16; ++j) {
        const int64_t i = b["index"][j];
        CHECK(b["label"][j] == i / 4);
        CHECK(b["shape"][j] == i / 4);
        for (int64_t p : {0, 7, 4095})
            CHECK(b.floats.at("x")[j * 4096 + p] == static_cast<float>(fx.pixels[i * 4096 + p]) / 255.0f);
    }
}

TEST_CASE("dsprites data: the location comes from path, else IDLAB_DATA/dsprites", "[core-images][dsprites-file]") {
    const auto root = scratch_dir("dsprites-location");
    write_file(root / "dsprites" / kFile, DspritesFixture().npz());
    ScopedEnv env("IDLAB_DATA", root.string().c_str());
    ConfigBuilder config = dsprites_config("", (root / "cache").string());
    CHECK(make_data<DspritesData>(config)->images().count == kImages);
}

TEST_CASE("dsprites data: a missing, truncated or corrupt file names file, format and source", "[core-images][dsprites-file][errors]") {
    const auto dir = scratch_dir("dsprites-errors");
    const Bytes good = DspritesFixture().npz();
    auto error_for = [&](const std::string& name) {
        ConfigBuilder config = dsprites_config((dir / name).string(), (dir / "cache").string());
        const idlab::Error e = data_creation_error<DspritesData>(config);
        CHECK(e.code() == IDLAB_STATUS_INVALID_CONFIG);
        CHECK(e.param_key() == "path");
        const std::string m = e.what();
        CHECK_THAT(m, Contains("core.dsprites") && Contains(name) && Contains("github.com/deepmind/dsprites-dataset"));
        return m;
    };
    CHECK_THAT(error_for("missing.npz"), Contains("cannot open") && Contains("NumPy .npz"));

    Bytes truncated(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(good.size() / 2));
    write_file(dir / "truncated.npz", truncated);
    CHECK_THAT(error_for("truncated.npz"), Contains("end-of-central-directory") && Contains("truncated"));

    Bytes corrupt = good;
    for (size_t i = 200; i < 260; ++i) corrupt[i] ^= 0x33;  // inside the deflated imgs member
    write_file(dir / "corrupt.npz", corrupt);
    CHECK_THAT(error_for("corrupt.npz"), Contains("corrupt.npz[imgs.npy]"));

    write_file(dir / "no-classes.npz", zip_bytes({{"imgs.npy", npy_bytes("|u1", "(12, 64, 64)", Bytes(12 * 4096)), true}}));
    CHECK_THAT(error_for("no-classes.npz"), Contains("no array 'latents_classes'") && Contains("it holds: imgs") &&
                                                Contains("official dSprites .npz"));

    write_file(dir / "wrong-shape.npz",
               zip_bytes({{"imgs.npy", npy_bytes("|u1", "(12, 32, 32)", Bytes(12 * 1024)), true},
                          {"latents_classes.npy", npy_bytes("<i8", "(12, 6)", Bytes(12 * 6 * 8)), true}}));
    CHECK_THAT(error_for("wrong-shape.npz"), Contains("wrong-shape.npz[imgs.npy]") && Contains("(12, 32, 32)"));
    CHECK(std::distance(fs::directory_iterator(dir / "cache"), fs::directory_iterator{}) <= 1);
}
