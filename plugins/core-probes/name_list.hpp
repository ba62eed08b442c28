// Lists of field names given as one string parameter ("elevation, azimuth, object_type"):
// recipes have no string-list parameter type, so core.pearson_probe takes a comma-separated list.
#pragma once

#include <string>
#include <vector>

namespace idlab::probes {

// Splits `text` at commas and trims the spaces around each name. Throws idlab::Error (invalid
// config, key `key`) when the list is empty or has an empty or repeated name.
std::vector<std::string> parse_name_list(const std::string& text, const std::string& key);

}  // namespace idlab::probes
