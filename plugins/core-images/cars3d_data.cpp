#include "cars3d_data.hpp"

#include "cars3d_reader.hpp"
#include "data_file_error.hpp"
#include "dataset_path.hpp"

#include <chrono>
#include <cstdio>

#include <sys/stat.h>

namespace idlab::images {

namespace {

constexpr const char* kDefaultSubpath = "cars3d/raw";

// Reads `path`: a folder is the DisLib folder, anything else the cached .npz. File problems
// become a config error on `path` that also says where the dataset is published.
ImageSet load(const std::string& path, int threads) {
    try {
        struct stat st {};
        if (::stat(path.c_str(), &st) != 0)
            throw DataFileError(path, "does not exist",
                                std::string(kCars3dFolderFormat) + ", or " + kCars3dNpzFormat);
        if (S_ISDIR(st.st_mode)) return read_cars3d_folder(path, -1, threads);
        return read_cars3d_npz(path);
    } catch (const DataFileError& e) {
        idlab::config_error("path", std::string(Cars3dData::kId) + ": " + e.what() + ". " + Cars3dData::kPublished);
    }
}

}  // namespace

idlab::ComponentSpec Cars3dData::spec() {
    idlab::ComponentSpec s;
    s.id = kId;
    s.summary = "Cars3D images (DisLib): 183 cars x 4 elevations x 24 azimuths, 64x64 RGB; label = car identity";
    s.doc =
        "Reads the DisLib Cars3D folder (list.txt + car_XXX_mesh.mat, MAT v5) and resizes each 128x128 "
        "render to 64x64 exactly as Pillow's BILINEAR resize does, or reads a cached .npz (images uint8 "
        "[N,64,64,3], factors int64 [N,3], factor_sizes). Fields: x (f32 [12288], pixels/255, channel-major "
        "CHW), label (object_type, 183 classes), z (factor values in [0,1]), elevation, azimuth, "
        "object_type, index, split (0 train, 1 val, 2 test). Seeded 80/10/10 train/val/test split; training "
        "batches draw uniformly from the train split; each evaluation reads the same sequence: eval_train_rows "
        "training images, then the held-out split(s) of eval_split, each in a fixed random order.";
    s.devices = IDLAB_DEVICE_CPU;
    s.params = {
        idlab::Param::string("path", "\"\"",
                             "DisLib Cars3D folder (list.txt + car_XXX_mesh.mat) or a cars3d .npz; "
                             "empty: $IDLAB_DATA/cars3d/raw"),
        idlab::Param::integer("load_threads", "0", "threads that decode and resize the .mat files; 0: one per core")
            .at_least(0),
    };
    for (idlab::Param& p : evaluation_params()) s.params.push_back(std::move(p));
    return s;
}

namespace {

// Finds and reads the dataset the config names, logging what was read and how long it took.
ImageSet read_configured(const idlab::Config& config) {
    const std::string path =
        resolve_dataset_path(config.get_string("path"), kDefaultSubpath, Cars3dData::kId, Cars3dData::kPublished);
    const auto t0 = std::chrono::steady_clock::now();
    ImageSet set = load(path, static_cast<int>(config.get_int("load_threads")));
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    char line[256];
    std::snprintf(line, sizeof line, "%lld images (%lld elevations x %lld azimuths x %lld cars) in %.2f s",
                  static_cast<long long>(set.count), static_cast<long long>(set.factor_sizes[0]),
                  static_cast<long long>(set.factor_sizes[1]), static_cast<long long>(set.factor_sizes[2]), seconds);
    idlab::log(IDLAB_LOG_INFO, Cars3dData::kId, "read " + path + ": " + line);
    return set;
}

}  // namespace

Cars3dData::Cars3dData(const idlab::CreateContext& ctx, const idlab::Config& config)
    : ImageData(kId, read_configured(config), ctx.seed(), evaluation_options(config)) {
    log_split(ctx.seed());
}

}  // namespace idlab::images
