#include "shapes3d_reader.hpp"

#include "data_cache.hpp"
#include "data_file_error.hpp"
#include "factor_classes.hpp"
#include "hdf5_file.hpp"
#include "mapped_file.hpp"
#include "npy_array.hpp"

#include <algorithm>
#include <memory>

#include <sys/stat.h>

namespace idlab::images {

namespace {

constexpr int64_t kSide = 64, kChannels = 3;

}  // namespace

ImageSet read_shapes3d_h5(const std::string& path, const std::string& cache_dir) {
    Hdf5File file(path);
    for (const char* name : {"images", "labels"})
        if (!file.contains(name))
            throw DataFileError(path, std::string("has no dataset '") + name + "'", kShapes3dFormat);
    const Hdf5Dataset images = file.dataset("images");
    const Hdf5Dataset labels = file.dataset("labels");
    const std::vector<int64_t>& dims = images.dims();
    if (images.kind() != Hdf5Dataset::Kind::UnsignedInteger || images.element_size() != 1 || dims.size() != 4 ||
        dims[1] != kSide || dims[2] != kSide || dims[3] != kChannels)
        throw DataFileError(path + "[images]", "is " + images.describe(), kShapes3dFormat);
    const int64_t n = dims[0];
    if (labels.kind() != Hdf5Dataset::Kind::Float || labels.dims().size() != 2 || labels.dims()[0] != n ||
        labels.dims()[1] != 6)
        throw DataFileError(path + "[labels]", "is " + labels.describe() + " for " + std::to_string(n) + " images",
                            kShapes3dFormat);

    ImageSet set;
    set.count = n;
    set.height = kSide;
    set.width = kSide;
    set.channels = kChannels;
    const uint64_t bytes = static_cast<uint64_t>(n * kSide * kSide * kChannels);
    if (images.contiguous_offset() >= 0) {
        std::shared_ptr<const MappedFile> mapped = MappedFile::open(path, kShapes3dFormat);
        if (static_cast<uint64_t>(images.contiguous_offset()) + bytes > mapped->size())
            throw DataFileError(path + "[images]", "truncated: the dataset runs past the end of the file",
                                kShapes3dFormat);
        set.pixels = mapped->data() + images.contiguous_offset();
        set.pixel_owner = mapped;
    } else {
        // Named by the file's size and modification time, so a replaced file is decoded anew.
        struct stat st {};
        ::stat(path.c_str(), &st);
        const size_t slash = path.find_last_of('/');
        const std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
        const std::string name = cache_file_name(base) + ".images." + std::to_string(st.st_size) + "." +
                                 std::to_string(static_cast<int64_t>(st.st_mtime)) + ".u8";
        std::shared_ptr<const MappedFile> mapped =
            cached_file(cache_directory(cache_dir), name, bytes, path + "[images] (" + images.describe() + ")",
                        [&](CacheWriter& out) {
                            // Slabs of whole chunks, about 64 MB each, so no chunk is inflated twice.
                            const int64_t row_bytes = kSide * kSide * kChannels;
                            const int64_t chunk = std::max<int64_t>(1, images.chunk_rows());
                            const int64_t slab = std::max<int64_t>(1, (int64_t{64} << 20) / row_bytes / chunk) * chunk;
                            std::vector<uint8_t> buffer(static_cast<size_t>(slab * row_bytes));
                            for (int64_t first = 0; first < n; first += slab) {
                                const int64_t count = std::min(slab, n - first);
                                images.read_rows(first, count, buffer.data());
                                out.write(buffer.data(), static_cast<size_t>(count * row_bytes));
                            }
                        });
        set.pixels = mapped->data();
        set.pixel_owner = mapped;
    }

    std::vector<double> values(static_cast<size_t>(n * 6));
    labels.read_rows(0, n, values.data());
    set.factor_names = {"floorCol", "wallCol", "objCol", "objSize", "objType", "objAzimuth"};
    set.factor_classes = classes_from_values(values, n, 6, set.factor_sizes, path + "[labels]", kShapes3dFormat);
    set.target_factor = 4;
    return set;
}

}  // namespace idlab::images
