#include "dsprites_like_data.hpp"

#include "dsprites_sprite.hpp"

namespace idlab::images {

namespace {

// The grid as an ImageSet without pixels: factor names as in csi's dSprites loader.
ImageSet sprite_grid() {
    ImageSet set;
    set.count = kSpriteCount;
    set.height = kSpriteSide;
    set.width = kSpriteSide;
    set.channels = 1;
    set.factor_names = {"shape", "scale", "orientation", "posX", "posY"};
    set.factor_sizes = {kSpriteShapes, kSpriteScales, kSpriteOrientations, kSpritePositions, kSpritePositions};
    set.target_factor = 0;
    set.factor_classes.resize(static_cast<size_t>(kSpriteCount * 5));
    for (int64_t i = 0; i < kSpriteCount; ++i) {
        const SpriteClasses c = sprite_classes(i);
        int64_t* f = &set.factor_classes[static_cast<size_t>(i * 5)];
        f[0] = c.shape;
        f[1] = c.scale;
        f[2] = c.orientation;
        f[3] = c.pos_x;
        f[4] = c.pos_y;
    }
    return set;
}

}  // namespace

idlab::ComponentSpec DspritesLikeData::spec() {
    idlab::ComponentSpec s;
    s.id = kId;
    s.summary = "dSprites-like (procedural stand-in for dSprites): 737,280 64x64 binary sprites; label = shape";
    s.doc =
        "dSprites-like, NOT dSprites: the official factor grid (shape 3 x scale 6 x orientation 40 x posX 32 x "
        "posY 32, posY fastest) rendered procedurally. The square and the ellipse match the 320 real dSprites "
        "frames pixel for pixel; the heart is fitted to them (about 3.6 differing pixels per frame). Fields: x "
        "(f32 [4096], pixel/pixel_divisor, pixels 0 or 1), label (shape, 3 classes), z (factor values in [0,1]), "
        "shape, scale, orientation, posX, posY, index, split (0 train, 1 val, 2 test). Seeded 80/10/10 split; "
        "training batches draw uniformly from the train split; each evaluation reads the same sequence: "
        "eval_train_rows training images, then the held-out split(s) of eval_split, each in a fixed random order.";
    s.devices = IDLAB_DEVICE_CPU;
    s.params = {
        idlab::Param::floating("pixel_divisor", "255.0",
                               "x = pixel / pixel_divisor for pixels 0 or 1; 255 gives csi's inputs {0, 1/255}")
            .above(0),
    };
    for (idlab::Param& p : evaluation_params()) s.params.push_back(std::move(p));
    return s;
}

DspritesLikeData::DspritesLikeData(const idlab::CreateContext& ctx, const idlab::Config& config)
    : ImageData(kId, sprite_grid(), ctx.seed(), evaluation_options(config),
                static_cast<float>(config.get_float("pixel_divisor"))) {
    idlab::log(IDLAB_LOG_INFO, kId,
               "dSprites-like (procedural, not the dSprites files): " + std::to_string(kSpriteCount) + " images");
    log_split(ctx.seed());
}

const uint8_t* DspritesLikeData::image_pixels(int64_t i, uint8_t* scratch) const {
    render_sprite(sprite_classes(i), scratch);
    return scratch;
}

}  // namespace idlab::images
