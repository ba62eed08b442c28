// How a sweep names a job's run folder: one level per axis, `key=value`, then `seed<S>`:
// "train.batch_size=256/data.kappa=50.0/seed1". Readable in `ls`, safe in a shell.
#pragma once

#include <string>

namespace idlab::host {

// The folder name of one axis value: strings without their quotes, lists as their items
// joined by 'x' ([64, 64] -> 64x64), any character other than letters, digits and ._+- as '_'.
std::string folder_value(const std::string& toml_text);

// "key=" + folder_value(toml_text).
std::string folder_component(const std::string& key, const std::string& toml_text);

}  // namespace idlab::host
