#include "published_dataset.hpp"

#include "data_file_error.hpp"
#include "dataset_path.hpp"
#include "evaluation_rows.hpp"

#include <chrono>
#include <cstdio>

namespace idlab::images {

std::vector<idlab::Param> published_dataset_params(const PublishedDataset& d, bool with_cache) {
    std::vector<idlab::Param> params = {
        idlab::Param::string("path", "\"\"",
                             d.what + "; empty: $IDLAB_DATA/" + d.default_subpath),
    };
    if (with_cache)
        params.push_back(idlab::Param::string(
            "cache_dir", "\"\"",
            "folder for arrays decoded once and memory-mapped from then on; empty: $IDLAB_CACHE, else "
            "$XDG_CACHE_HOME/idlab, else ~/.cache/idlab"));
    for (idlab::Param& p : evaluation_params()) params.push_back(std::move(p));
    return params;
}

std::string describe_image_set(const ImageSet& set) {
    std::string s = std::to_string(set.count) + " images " + std::to_string(set.height) + "x" +
                    std::to_string(set.width) + "x" + std::to_string(set.channels) + ", factors";
    for (int64_t f = 0; f < set.factor_count(); ++f)
        s += std::string(f ? ", " : " ") + set.factor_names[static_cast<size_t>(f)] + " " +
             std::to_string(set.factor_sizes[static_cast<size_t>(f)]);
    return s + "; label = " + set.factor_names[static_cast<size_t>(set.target_factor)];
}

ImageSet read_published(const PublishedDataset& d, const idlab::Config& config,
                        const std::function<ImageSet(const std::string& path, const std::string& cache_dir)>& read) {
    const std::string path = resolve_dataset_path(config.get_string("path"), d.default_subpath, d.id, d.published);
    std::string cache_dir;
    if (config.has("cache_dir")) cache_dir = config.get_string("cache_dir");
    const auto t0 = std::chrono::steady_clock::now();
    ImageSet set;
    try {
        set = read(path, cache_dir);
    } catch (const DataFileError& e) {
        idlab::config_error("path", d.id + ": " + e.what() + ". " + d.published);
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    char timing[32];
    std::snprintf(timing, sizeof timing, " in %.2f s", seconds);
    idlab::log(IDLAB_LOG_INFO, d.id, "read " + path + ": " + describe_image_set(set) + timing);
    return set;
}

}  // namespace idlab::images
