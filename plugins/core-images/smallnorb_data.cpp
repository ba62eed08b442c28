#include "smallnorb_data.hpp"

#include "published_dataset.hpp"
#include "smallnorb_reader.hpp"

namespace idlab::images {

namespace {

const PublishedDataset kDataset = {
    SmallnorbData::kId, "smallnorb",
    "folder of the six uncompressed small NORB files (smallnorb-5x*-{training,testing}-{dat,cat,info}.mat)",
    "small NORB (LeCun, Huang and Bottou 2004; research use, not for sale) is published at "
    "https://cs.nyu.edu/~ylclab/data/norb-v1.0-small/ (gunzip the six .mat.gz files)"};

}  // namespace

idlab::ComponentSpec SmallnorbData::spec() {
    idlab::ComponentSpec s;
    s.id = kId;
    s.summary = "small NORB from NYU's files: 48,600 images, camera 0 resized to 64x64; label = category";
    s.doc =
        "Reads the six small NORB binary matrix files (training and testing dat, cat, info), merges training and "
        "testing (48,600 images) as the DisLib loader does, keeps camera 0 and resizes 96x96 -> 64x64 exactly as "
        "Pillow's BILINEAR resize. Fields: x (f32 [4096], pixels/255), label (category, 5 classes), z (factor values "
        "in [0,1]), category, instance, elevation, rotation (azimuth / 2), lighting, index, split (0 train, 1 val, 2 "
        "test). Seeded 80/10/10 split; training batches draw uniformly from the train split; each evaluation reads "
        "the same sequence: eval_train_rows training images, then the held-out split(s) of eval_split, each in a "
        "fixed random order.";
    s.devices = IDLAB_DEVICE_CPU;
    s.params = published_dataset_params(kDataset, false);
    return s;
}

SmallnorbData::SmallnorbData(const idlab::CreateContext& ctx, const idlab::Config& config)
    : ImageData(
          kId,
          read_published(kDataset, config,
                         [](const std::string& path, const std::string&) { return read_smallnorb_folder(path); }),
          ctx.seed(), evaluation_options(config)) {
    log_split(ctx.seed());
}

}  // namespace idlab::images
