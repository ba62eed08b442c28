#include "mpi3d_reader.hpp"

#include "data_file_error.hpp"
#include "factor_classes.hpp"
#include "npz_archive.hpp"

#include <memory>

namespace idlab::images {

ImageSet read_mpi3d_npz(const std::string& path, const std::string& cache_dir,
                        const std::vector<int64_t>& factor_sizes) {
    NpzArchive archive(path);
    if (!archive.contains("images")) {
        std::string present;
        for (const std::string& k : archive.keys()) present += (present.empty() ? "" : ", ") + k;
        throw DataFileError(path, "has no array 'images' (it holds: " + present + ")", kMpi3dFormat);
    }
    auto images = std::make_shared<NpyArray>(archive.load_cached("images", cache_dir));
    images->require("|u1", {-1, 64, 64, 3});
    const std::vector<int64_t>& sizes = factor_sizes;
    int64_t grid = 1;
    std::string grid_text;
    for (int64_t s : sizes) grid *= s, grid_text += (grid_text.empty() ? "" : " x ") + std::to_string(s);
    const int64_t n = images->shape()[0];
    if (n != grid)
        throw DataFileError(images->source(),
                            "holds " + std::to_string(n) + " images; the factor grid " + grid_text + " has " +
                                std::to_string(grid),
                            kMpi3dFormat);
    ImageSet set;
    set.count = n;
    set.height = 64;
    set.width = 64;
    set.channels = 3;
    set.pixels = images->bytes();
    set.pixel_owner = images;
    set.factor_names = {"objCol", "objShape", "objSize", "cameraHeight", "backCol", "posX", "posY"};
    set.factor_sizes = sizes;
    set.factor_classes = classes_from_grid_index(n, sizes);
    set.target_factor = 1;
    return set;
}

}  // namespace idlab::images
