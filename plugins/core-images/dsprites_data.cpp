#include "dsprites_data.hpp"

#include "dsprites_reader.hpp"
#include "published_dataset.hpp"

namespace idlab::images {

namespace {

const PublishedDataset kDataset = {
    DspritesData::kId, "dsprites/dsprites_ndarray_co1sh3sc6or40x32y32_64x64.npz",
    "the official dSprites .npz (dsprites_ndarray_co1sh3sc6or40x32y32_64x64.npz)",
    "dSprites (Matthey et al. 2017, Apache-2.0) is published as dsprites_ndarray_co1sh3sc6or40x32y32_64x64.npz in "
    "https://github.com/deepmind/dsprites-dataset"};

}  // namespace

idlab::ComponentSpec DspritesData::spec() {
    idlab::ComponentSpec s;
    s.id = kId;
    s.summary = "dSprites from its official .npz: 737,280 64x64 binary sprites; label = shape";
    s.doc =
        "Reads the official dsprites_ndarray_co1sh3sc6or40x32y32_64x64.npz (imgs uint8 [N,64,64], latents_classes "
        "int64 [N,6]); the deflated images are inflated once into cache_dir and memory-mapped. Fields: x (f32 "
        "[4096], pixel/pixel_divisor, pixels 0 or 1), label (shape, 3 classes), z (factor values in [0,1]), shape, "
        "scale, orientation, posX, posY (color, one value, is dropped as csi does), index, split (0 train, 1 val, 2 "
        "test). Seeded 80/10/10 split; training batches draw uniformly from the train split; each evaluation reads "
        "the same sequence: eval_train_rows training images, then the held-out split(s) of eval_split, each in a "
        "fixed random order.";
    s.devices = IDLAB_DEVICE_CPU;
    s.params = published_dataset_params(kDataset, true);
    s.params.insert(
        s.params.begin() + 2,
        idlab::Param::floating("pixel_divisor", "255.0",
                               "x = pixel / pixel_divisor for pixels 0 or 1; 255 gives csi's inputs {0, 1/255}")
            .above(0));
    return s;
}

DspritesData::DspritesData(const idlab::CreateContext& ctx, const idlab::Config& config)
    : ImageData(kId,
                read_published(kDataset, config,
                               [](const std::string& path, const std::string& cache_dir) {
                                   return read_dsprites_npz(path, cache_dir);
                               }),
                ctx.seed(), evaluation_options(config), static_cast<float>(config.get_float("pixel_divisor"))) {
    log_split(ctx.seed());
}

}  // namespace idlab::images
