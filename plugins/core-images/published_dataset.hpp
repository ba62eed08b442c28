// What the data components of published datasets share: where the files are (`path`, else
// $IDLAB_DATA/<default subpath>), the cache folder for data decoded once (`cache_dir`), and the
// error a user sees when a file is missing or damaged: the component, the file, what is wrong,
// the format expected and where the dataset is published.
#pragma once

#include "image_set.hpp"

#include <idlab/plugin.hpp>

#include <functional>
#include <string>
#include <vector>

namespace idlab::images {

struct PublishedDataset {
    std::string id;               // "core.shapes3d"
    std::string default_subpath;  // under $IDLAB_DATA: "shapes3d/3dshapes.h5"
    std::string what;             // for `path`'s doc: "the official 3dshapes.h5"
    std::string published;        // "Shapes3D is published at ..."
};

// `path` and, when `with_cache`, `cache_dir`; then the evaluation parameters.
std::vector<idlab::Param> published_dataset_params(const PublishedDataset& d, bool with_cache);

// Finds the files, reads them with `read(path, cache_dir)`, logs what was read and how long it
// took; a DataFileError becomes a config error on `path` that says where the data is published.
ImageSet read_published(const PublishedDataset& d, const idlab::Config& config,
                        const std::function<ImageSet(const std::string& path, const std::string& cache_dir)>& read);

// "737280 images 64x64x1, factors shape 3, scale 6, ..." for logs.
std::string describe_image_set(const ImageSet& set);

}  // namespace idlab::images
