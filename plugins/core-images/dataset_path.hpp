// Where a dataset's files are: the recipe's `path` when it is set, otherwise
// $IDLAB_DATA/<default_subpath>, where IDLAB_DATA is a data root holding one folder per
// dataset (as ../shared/data does: cars3d/raw, dsprites, ...). A relative `path` is taken
// from the working directory.
#pragma once

#include <string>

namespace idlab::images {

// Throws idlab::Error (invalid config, key "path") when neither is set; `published` says where
// the dataset can be downloaded.
std::string resolve_dataset_path(const std::string& configured, const std::string& default_subpath,
                                 const std::string& component_id, const std::string& published);

}  // namespace idlab::images
