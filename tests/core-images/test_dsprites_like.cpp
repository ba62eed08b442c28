// core.dsprites_like and its renderer: the factor grid in the official order, the geometry of
// each shape, and the 320 real dSprites frames of ../shared/data/dsprites (skipped with a
// message when absent): square and ellipse pixel for pixel, the heart within its measured
// error. Then the component: fields, labels, pixel values, determinism.
#include "dsprites_like_data.hpp"
#include "dsprites_sprite.hpp"
#include "images_test_support.hpp"
#include "npy_array.hpp"
#include "support/config_builder.hpp"
#include "support/tensor.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

using namespace idlab::test;
using namespace idlab::images;
using Catch::Matchers::Contains;

namespace {

std::vector<uint8_t> render(int64_t shape, int64_t scale, int64_t orientation, int64_t pos_x, int64_t pos_y) {
    std::vector<uint8_t> canvas(64 * 64);
    render_sprite(SpriteClasses{shape, scale, orientation, pos_x, pos_y}, canvas.data());
    return canvas;
}

int64_t count_on(const std::vector<uint8_t>& canvas) {
    int64_t n = 0;
    for (uint8_t v : canvas) n += v;
    return n;
}

struct RealFrame {
    SpriteClasses classes;
    const uint8_t* pixels;
};

}  // namespace

TEST_CASE("dsprites-like: the grid follows the official order", "[core-images][dsprites]") {
    CHECK(kSpriteCount == 737280);
    // base = [245760, 40960, 1024, 32, 1] for (shape, scale, orientation, posX, posY).
    const SpriteClasses c = sprite_classes(2 * 245760 + 3 * 40960 + 17 * 1024 + 5 * 32 + 30);
    CHECK(c.shape == 2);
    CHECK(c.scale == 3);
    CHECK(c.orientation == 17);
    CHECK(c.pos_x == 5);
    CHECK(c.pos_y == 30);
    for (int64_t i : {int64_t{0}, int64_t{1}, int64_t{31}, int64_t{32}, int64_t{123457}, kSpriteCount - 1})
        CHECK(sprite_index(sprite_classes(i)) == i);
    CHECK_THROWS(sprite_classes(kSpriteCount));
    CHECK(sprite_scale_value(0) == 0.5);
    CHECK(sprite_scale_value(5) == 1.0);
    CHECK(sprite_scale_value(1) == Approx(0.6));
    CHECK(sprite_orientation_value(39) == Approx(2 * M_PI));
    CHECK(sprite_position_value(31) == 1.0);
}

TEST_CASE("dsprites-like: shapes, positions and rotations on the canvas", "[core-images][dsprites]") {
    // The square at scale 1 covers 20 x 20 pixels around the centre (16, 16).
    const std::vector<uint8_t> square = render(0, 5, 0, 0, 0);
    CHECK(count_on(square) == 400);
    CHECK(square[6 * 64 + 6] == 1);
    CHECK(square[25 * 64 + 25] == 1);
    CHECK(square[5 * 64 + 6] == 0);
    CHECK(square[6 * 64 + 26] == 0);
    // posX moves along columns, posY along rows, 32 px from 0 to 1.
    const std::vector<uint8_t> moved = render(0, 5, 0, 31, 0);
    CHECK(moved[6 * 64 + 38] == 1);
    CHECK(moved[6 * 64 + 37] == 0);
    const std::vector<uint8_t> down = render(0, 5, 0, 0, 31);
    CHECK(down[38 * 64 + 6] == 1);
    CHECK(down[37 * 64 + 6] == 0);
    // The ellipse is wide at orientation 0; the last orientation (2 pi) repeats the first.
    const std::vector<uint8_t> ellipse = render(1, 5, 0, 16, 16);
    CHECK(count_on(ellipse) == Approx(M_PI * 12.766 * 7.213).epsilon(0.03));
    CHECK(ellipse[32 * 64 + 33 + 11] == 1);  // 11.5 px right of the centre (32.5, 32.5)
    CHECK(ellipse[(32 + 8) * 64 + 33] == 0);  // 8.5 px below it
    CHECK(render(1, 5, 39, 16, 16) == ellipse);
    // A quarter turn counter-clockwise stands the ellipse up.
    const std::vector<uint8_t> standing = render(1, 5, 10, 16, 16);  // 10 * 2pi/39: about 92 degrees
    CHECK(standing[(32 - 11) * 64 + 32] == 1);
    CHECK(standing[32 * 64 + 33 + 9] == 0);
    // The heart is mirror-symmetric at orientation 0, with its lobes above the centre.
    const std::vector<uint8_t> heart = render(2, 5, 0, 0, 0);
    for (int r = 0; r < 64; ++r)
        for (int c = 0; c < 32; ++c) REQUIRE(heart[r * 64 + c] == heart[r * 64 + 31 - c]);
    CHECK(heart[9 * 64 + 8] == 1);   // a lobe
    CHECK(heart[7 * 64 + 15] == 0);  // the notch between the lobes
    CHECK(heart[23 * 64 + 15] == 1); // the tip
    CHECK(heart[23 * 64 + 12] == 0);
    // Smaller scales make smaller sprites.
    CHECK(count_on(render(2, 0, 0, 0, 0)) < count_on(render(2, 3, 0, 0, 0)));
}

TEST_CASE("dsprites-like: the 320 real dSprites frames", "[core-images][dsprites][shared]") {
    const auto folder = shared_data("dsprites");
    if (folder.empty()) return;
    const NpyArray frames = load_npy((folder / "dsprites_gif_frames.npy").string());
    frames.require("|u1", {320, 64, 64});
    std::ifstream csv(folder / "dsprites_gif_frames_latents.csv");
    std::string line;
    std::getline(csv, line);  // frame,shape,scale,orientation,posX,posY,segment
    std::vector<RealFrame> real;
    while (std::getline(csv, line)) {
        long long f, s, sc, o, x, y;
        REQUIRE(std::sscanf(line.c_str(), "%lld,%lld,%lld,%lld,%lld,%lld", &f, &s, &sc, &o, &x, &y) == 6);
        real.push_back({SpriteClasses{s, sc, o, x, y}, frames.bytes() + f * 4096});
    }
    REQUIRE(real.size() == 320);
    int64_t differing[3] = {0, 0, 0}, count[3] = {0, 0, 0};
    for (const RealFrame& r : real) {
        const std::vector<uint8_t> mine = render(r.classes.shape, r.classes.scale, r.classes.orientation,
                                                 r.classes.pos_x, r.classes.pos_y);
        for (int p = 0; p < 4096; ++p) differing[r.classes.shape] += mine[p] != r.pixels[p];
        ++count[r.classes.shape];
    }
    WARN("pixels differing from the real frames: square " << differing[0] << " in " << count[0]
                                                           << " frames, ellipse " << differing[1] << " in " << count[1]
                                                           << ", heart " << differing[2] << " in " << count[2]);
    CHECK(count[0] == 64);
    CHECK(differing[0] == 0);
    CHECK(differing[1] == 0);
    CHECK(static_cast<double>(differing[2]) / static_cast<double>(count[2]) < 4.0);
}

TEST_CASE("dsprites-like data: fields, labels and pixels", "[core-images][dsprites]") {
    ConfigBuilder config;
    config.set_string("eval_split", "val").set_int("eval_train_rows", 0).set_int("eval_rows_per_split", -1);
    config.set_float("pixel_divisor", 255.0);
    idlab_create_ctx_t cctx{};
    cctx.struct_size = sizeof cctx;
    cctx.seed = 11;
    cctx.stage = "data";
    DspritesLikeData data(idlab::CreateContext(&cctx), idlab::Config(config.get()));
    CHECK_THAT(DspritesLikeData::spec().summary, Contains("dSprites-like"));

    const auto& f = data.fields();
    const std::vector<std::string> names = {"x",   "label", "z",     "shape", "scale", "orientation",
                                            "posX", "posY", "index", "split"};
    REQUIRE(f.size() == names.size());
    for (size_t i = 0; i < names.size(); ++i) CHECK(f[i].name == names[i]);
    CHECK(f[0].width == 4096);
    CHECK(f[1].cardinality == 3);
    CHECK(f[2].width == 5);
    CHECK(f[8].cardinality == 737280);
    CHECK(data.split().train.size() == 589824);
    CHECK(data.split().val.size() == 73728);

    const int64_t n = 32;
    OwnedTensor<float> x({n, 4096}), z({n, 5});
    OwnedTensor<int64_t> label({n}), index({n});
    std::vector<idlab_named_tensor_t> items = {
        {"x", x.view()}, {"z", z.view()}, {"label", label.view()}, {"index", index.view()}};
    idlab_tensor_set_t set{static_cast<uint32_t>(items.size()), items.data()};
    idlab_exec_ctx_t ctx{};
    ctx.struct_size = sizeof ctx;
    ctx.rng = idlab_rng_t{11, IDLAB_RNG_STREAM_TRAIN, 4};
    data.sample(ctx, n, idlab::TensorSet(&set));
    for (int64_t j = 0; j < n; ++j) {
        const SpriteClasses c = sprite_classes(index[j]);
        CHECK(label[j] == c.shape);
        CHECK(z[j * 5 + 0] == static_cast<float>(c.shape) / 2.0f);
        CHECK(z[j * 5 + 4] == static_cast<float>(static_cast<double>(c.pos_y) / 31.0));
        const std::vector<uint8_t> canvas = render(c.shape, c.scale, c.orientation, c.pos_x, c.pos_y);
        for (int p = 0; p < 4096; ++p) REQUIRE(x[j * 4096 + p] == static_cast<float>(canvas[p]) / 255.0f);
    }
}
