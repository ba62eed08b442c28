#include "name_list.hpp"

#include <idlab/plugin.hpp>

#include <algorithm>

namespace idlab::probes {

namespace {
std::string trim(const std::string& s) {
    const char* space = " \t";
    const size_t first = s.find_first_not_of(space);
    if (first == std::string::npos) return "";
    return s.substr(first, s.find_last_not_of(space) - first + 1);
}
}  // namespace

std::vector<std::string> parse_name_list(const std::string& text, const std::string& key) {
    std::vector<std::string> names;
    size_t start = 0;
    for (;;) {
        const size_t comma = text.find(',', start);
        const std::string name = trim(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
        if (name.empty()) {
            if (trim(text).empty())
                idlab::config_error(key, key + " is empty; name at least one field, e.g. \"elevation,azimuth\"");
            idlab::config_error(key, key + " \"" + text + "\" has an empty name (a stray comma?)");
        }
        if (std::find(names.begin(), names.end(), name) != names.end())
            idlab::config_error(key, key + " names '" + name + "' twice");
        names.push_back(name);
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return names;
}

}  // namespace idlab::probes
