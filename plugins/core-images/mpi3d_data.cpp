#include "mpi3d_data.hpp"

#include "mpi3d_reader.hpp"
#include "published_dataset.hpp"

namespace idlab::images {

namespace {

// The dataset of one variant: toy, realistic or real.
PublishedDataset dataset(const std::string& variant) {
    return {Mpi3dData::kId, "mpi3d/mpi3d_" + variant + ".npz",
            "an MPI3D .npz (mpi3d_toy.npz, mpi3d_realistic.npz or mpi3d_real.npz)",
            "MPI3D (Gondal et al. 2019, CC BY 4.0) is published as mpi3d_toy.npz, mpi3d_realistic.npz and "
            "mpi3d_real.npz, linked from https://github.com/rr-learning/disentanglement_dataset (now on Hugging Face: "
            "waleedgondal/mpi3d)"};
}

}  // namespace

idlab::ComponentSpec Mpi3dData::spec() {
    idlab::ComponentSpec s;
    s.id = kId;
    s.summary = "MPI3D (toy, realistic or real) from its official .npz: 1,036,800 64x64 RGB images; label = object shape";
    s.doc =
        "Reads mpi3d_<variant>.npz (images uint8 [1036800,64,64,3] in factor order 6 x 6 x 2 x 3 x 3 x 40 x 40, last "
        "fastest); a stored member (np.savez, as published) is memory-mapped in place, a deflated one inflated once "
        "into cache_dir. Fields: x (f32 [12288], pixels/255, channel-major CHW), label (objShape, 6 classes), z (factor "
        "values in [0,1]), objCol, objShape, objSize, cameraHeight, backCol, posX, posY, index, split (0 train, 1 val, "
        "2 test). Seeded 80/10/10 split; training batches draw uniformly from the train split; each evaluation reads "
        "the same sequence: eval_train_rows training images, then the held-out split(s) of eval_split, each in a fixed "
        "random order.";
    s.devices = IDLAB_DEVICE_CPU;
    PublishedDataset d = dataset("<variant>");
    s.params = published_dataset_params(d, true);
    s.params.insert(s.params.begin(),
                    idlab::Param::string("variant", "\"toy\"",
                                         "which release: toy (Table 4's MPI 3D), realistic, or real (MPI 3D real)")
                        .one_of("toy|realistic|real"));
    return s;
}

Mpi3dData::Mpi3dData(const idlab::CreateContext& ctx, const idlab::Config& config)
    : ImageData(kId,
                read_published(dataset(config.get_string("variant")), config,
                               [](const std::string& path, const std::string& cache_dir) {
                                   return read_mpi3d_npz(path, cache_dir);
                               }),
                ctx.seed(), evaluation_options(config)) {
    log_split(ctx.seed());
}

}  // namespace idlab::images
