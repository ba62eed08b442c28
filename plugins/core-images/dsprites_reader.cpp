#include "dsprites_reader.hpp"

#include "data_file_error.hpp"
#include "factor_classes.hpp"
#include "npz_archive.hpp"

#include <memory>

namespace idlab::images {

ImageSet read_dsprites_npz(const std::string& path, const std::string& cache_dir) {
    NpzArchive archive(path);
    for (const char* key : {"imgs", "latents_classes"})
        if (!archive.contains(key)) {
            std::string present;
            for (const std::string& k : archive.keys()) present += (present.empty() ? "" : ", ") + k;
            throw DataFileError(path, std::string("has no array '") + key + "' (it holds: " + present + ")",
                                kDspritesFormat);
        }
    auto images = std::make_shared<NpyArray>(archive.load_cached("imgs", cache_dir));
    images->require("|u1", {-1, 64, 64});
    const int64_t n = images->shape()[0];
    const NpyArray latents = archive.load("latents_classes");
    latents.require("<i8", {n, 6});

    ImageSet set;
    set.count = n;
    set.height = 64;
    set.width = 64;
    set.channels = 1;
    set.pixels = images->bytes();
    set.pixel_owner = images;
    set.factor_names = {"shape", "scale", "orientation", "posX", "posY"};
    set.factor_classes = checked_classes(latents.to_vector<int64_t>(), n, 6, {1, 2, 3, 4, 5}, set.factor_sizes,
                                         latents.source(), kDspritesFormat);
    set.target_factor = 0;
    return set;
}

}  // namespace idlab::images
