#include "factor_classes.hpp"

#include "data_file_error.hpp"

#include <algorithm>
#include <cmath>

namespace idlab::images {

std::vector<int64_t> classes_from_values(const std::vector<double>& values, int64_t n, int64_t columns,
                                         std::vector<int64_t>& sizes, const std::string& source,
                                         const std::string& expected_format) {
    std::vector<int64_t> classes(static_cast<size_t>(n * columns));
    sizes.assign(static_cast<size_t>(columns), 0);
    std::vector<double> distinct;
    for (int64_t c = 0; c < columns; ++c) {
        distinct.clear();
        for (int64_t i = 0; i < n; ++i) {
            const double v = values[static_cast<size_t>(i * columns + c)];
            if (!std::isfinite(v))
                throw DataFileError(source,
                                    "factor value [" + std::to_string(i) + ", " + std::to_string(c) + "] is not finite",
                                    expected_format);
            distinct.push_back(v);
        }
        std::sort(distinct.begin(), distinct.end());
        distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
        sizes[static_cast<size_t>(c)] = static_cast<int64_t>(distinct.size());
        for (int64_t i = 0; i < n; ++i) {
            const double v = values[static_cast<size_t>(i * columns + c)];
            classes[static_cast<size_t>(i * columns + c)] =
                std::lower_bound(distinct.begin(), distinct.end(), v) - distinct.begin();
        }
    }
    return classes;
}

std::vector<int64_t> classes_from_grid_index(int64_t n, const std::vector<int64_t>& sizes) {
    const int64_t columns = static_cast<int64_t>(sizes.size());
    std::vector<int64_t> classes(static_cast<size_t>(n * columns));
    for (int64_t i = 0; i < n; ++i) {
        int64_t rest = i;
        for (int64_t c = columns - 1; c >= 0; --c) {
            classes[static_cast<size_t>(i * columns + c)] = rest % sizes[static_cast<size_t>(c)];
            rest /= sizes[static_cast<size_t>(c)];
        }
    }
    return classes;
}

std::vector<int64_t> checked_classes(const std::vector<int64_t>& classes, int64_t n, int64_t columns,
                                     const std::vector<int64_t>& keep, std::vector<int64_t>& sizes,
                                     const std::string& source, const std::string& expected_format) {
    const int64_t kept = static_cast<int64_t>(keep.size());
    std::vector<int64_t> out(static_cast<size_t>(n * kept));
    sizes.assign(static_cast<size_t>(kept), 0);
    for (int64_t i = 0; i < n; ++i)
        for (int64_t k = 0; k < kept; ++k) {
            const int64_t v = classes[static_cast<size_t>(i * columns + keep[static_cast<size_t>(k)])];
            if (v < 0)
                throw DataFileError(source,
                                    "class [" + std::to_string(i) + ", " + std::to_string(keep[static_cast<size_t>(k)]) +
                                        "] is negative (" + std::to_string(v) + ")",
                                    expected_format);
            out[static_cast<size_t>(i * kept + k)] = v;
            sizes[static_cast<size_t>(k)] = std::max(sizes[static_cast<size_t>(k)], v + 1);
        }
    return out;
}

}  // namespace idlab::images
