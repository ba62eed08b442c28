#include "shapes3d_data.hpp"

#include "published_dataset.hpp"
#include "shapes3d_reader.hpp"

namespace idlab::images {

namespace {

const PublishedDataset kDataset = {Shapes3dData::kId, "shapes3d/3dshapes.h5",
                                   "the official Shapes3D HDF5 file (3dshapes.h5)",
                                   "Shapes3D (Burgess and Kim 2018, Apache-2.0) is published as 3dshapes.h5 in the "
                                   "Google Cloud bucket \"3d-shapes\" (see https://github.com/deepmind/3d-shapes); "
                                   "sha256 0a0f6ed98baff276a50f3a081a7434d788da63cb135a98189b2a5b5769be1785"};

}  // namespace

idlab::ComponentSpec Shapes3dData::spec() {
    idlab::ComponentSpec s;
    s.id = kId;
    s.summary = "Shapes3D from its official HDF5 file: 480,000 64x64 RGB scenes; label = object shape";
    s.doc =
        "Reads the official 3dshapes.h5 through libhdf5 (images uint8 [N,64,64,3], labels float64 [N,6]); "
        "gzip-chunked images are decoded once into cache_dir and memory-mapped. Fields: x (f32 [12288], pixels/255, "
        "channel-major CHW), label (objType, 4 classes), z (factor values in [0,1]), floorCol, wallCol, objCol, "
        "objSize, objType, objAzimuth (class indices of the label values), index, split (0 train, 1 val, 2 test). "
        "Seeded 80/10/10 split; training batches draw uniformly from the train split; each evaluation reads the same "
        "sequence: eval_train_rows training images, then the held-out split(s) of eval_split, each in a fixed random "
        "order.";
    s.devices = IDLAB_DEVICE_CPU;
    s.params = published_dataset_params(kDataset, true);
    return s;
}

Shapes3dData::Shapes3dData(const idlab::CreateContext& ctx, const idlab::Config& config)
    : ImageData(kId,
                read_published(kDataset, config,
                               [](const std::string& path, const std::string& cache_dir) {
                                   return read_shapes3d_h5(path, cache_dir);
                               }),
                ctx.seed(), evaluation_options(config)) {
    log_split(ctx.seed());
}

}  // namespace idlab::images
