#include "cars3d_reader.hpp"

#include "data_file_error.hpp"
#include "mat_file.hpp"
#include "npz_archive.hpp"
#include "pillow_resize.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <exception>
#include <fstream>
#include <mutex>
#include <thread>

namespace idlab::images {

namespace {

const std::vector<std::string> kFactorNames = {"elevation", "azimuth", "object_type"};
constexpr int64_t kTargetFactor = 2;
constexpr int64_t kChannels = 3;

std::string join_path(const std::string& folder, const std::string& name) {
    if (folder.empty() || folder.back() == '/') return folder + name;
    return folder + "/" + name;
}

std::vector<std::string> read_object_list(const std::string& folder) {
    const std::string path = join_path(folder, "list.txt");
    std::ifstream in(path);
    if (!in) {
        const int e = errno;
        throw DataFileError(path, std::string("cannot open: ") + std::strerror(e), kCars3dFolderFormat);
    }
    std::vector<std::string> names;
    std::string line;
    while (std::getline(in, line)) {
        const size_t a = line.find_first_not_of(" \t\r");
        const size_t b = line.find_last_not_of(" \t\r");
        if (a == std::string::npos) continue;
        names.push_back(line.substr(a, b - a + 1));
    }
    if (names.empty()) throw DataFileError(path, "names no object", kCars3dFolderFormat);
    return names;
}

// The `im` array of one object, checked: uint8 [height, width, 3, azimuths, elevations].
MatVariable read_object_images(const std::string& path) {
    MatFile file(path);
    MatVariable im = file.read("im");
    if (im.array_class != kMxUint8 || im.storage_type != kMiUint8 || im.dims.size() != 5 ||
        im.dims[2] != kChannels)
        throw DataFileError(path,
                            "'im' is not a uint8 array [height, width, 3, azimuths, elevations] "
                            "(class " + std::to_string(im.array_class) + ", rank " +
                                std::to_string(im.dims.size()) + ")",
                            kCars3dFolderFormat);
    return im;
}

}  // namespace

ImageSet read_cars3d_folder(const std::string& folder, int64_t max_objects, int threads) {
    std::vector<std::string> names = read_object_list(folder);
    if (max_objects >= 0 && max_objects < static_cast<int64_t>(names.size()))
        names.resize(static_cast<size_t>(max_objects));
    const int64_t objects = static_cast<int64_t>(names.size());

    // The first file fixes the geometry every other file must share.
    const MatVariable first = read_object_images(join_path(folder, names[0] + ".mat"));
    const std::vector<int64_t> dims = first.dims;
    const int64_t in_h = dims[0], in_w = dims[1], azimuths = dims[3], elevations = dims[4];
    if (in_h < 1 || in_w < 1 || azimuths < 1 || elevations < 1)
        throw DataFileError(join_path(folder, names[0] + ".mat"), "'im' is empty", kCars3dFolderFormat);

    auto buffer = std::make_shared<std::vector<uint8_t>>(
        static_cast<size_t>(elevations * azimuths * objects * kCars3dSide * kCars3dSide * kChannels));
    ImageSet set;
    set.count = elevations * azimuths * objects;
    set.height = kCars3dSide;
    set.width = kCars3dSide;
    set.channels = kChannels;
    set.pixels = buffer->data();
    set.factor_names = kFactorNames;
    set.factor_sizes = {elevations, azimuths, objects};
    set.target_factor = kTargetFactor;
    set.factor_classes.resize(static_cast<size_t>(set.count * 3));
    for (int64_t i = 0; i < set.count; ++i) {
        set.factor_classes[static_cast<size_t>(i * 3 + 0)] = i / (azimuths * objects);
        set.factor_classes[static_cast<size_t>(i * 3 + 1)] = (i / objects) % azimuths;
        set.factor_classes[static_cast<size_t>(i * 3 + 2)] = i % objects;
    }

    // Resizes object o's images into their slots of the set.
    auto place = [&](const MatVariable& im, int64_t o, BilinearResizer& resizer) {
        const std::string path = join_path(folder, names[static_cast<size_t>(o)] + ".mat");
        if (im.dims != dims)
            throw DataFileError(path, "'im' has other dimensions than in " + names[0] + ".mat",
                                kCars3dFolderFormat);
        ImageView view;
        view.height = in_h;
        view.width = in_w;
        view.channels = kChannels;
        view.row_stride = 1;  // column-major: the row index varies fastest
        view.col_stride = in_h;
        view.channel_stride = in_h * in_w;
        for (int64_t e = 0; e < elevations; ++e)
            for (int64_t a = 0; a < azimuths; ++a) {
                view.data = im.data.data() + in_h * in_w * kChannels * (a + azimuths * e);
                const int64_t index = (e * azimuths + a) * objects + o;
                resizer.resize(view, buffer->data() + index * set.image_bytes());
            }
    };

    // Objects are independent: workers take the next unread one until none is left.
    const int workers = static_cast<int>(std::max<int64_t>(
        1, std::min<int64_t>(objects, threads > 0 ? threads : std::max(1u, std::thread::hardware_concurrency()))));
    std::atomic<int64_t> next{1};
    std::exception_ptr failure;
    std::mutex failure_mutex;
    auto work = [&] {
        BilinearResizer resizer(in_h, in_w, kCars3dSide, kCars3dSide);
        try {
            for (int64_t o = next++; o < objects; o = next++)
                place(read_object_images(join_path(folder, names[static_cast<size_t>(o)] + ".mat")), o, resizer);
        } catch (...) {
            std::lock_guard<std::mutex> lock(failure_mutex);
            if (!failure) failure = std::current_exception();
            next = objects;  // the others stop at their next object
        }
    };
    {
        BilinearResizer resizer(in_h, in_w, kCars3dSide, kCars3dSide);
        place(first, 0, resizer);
    }
    std::vector<std::thread> pool;
    for (int t = 1; t < workers; ++t) pool.emplace_back(work);
    work();
    for (std::thread& t : pool) t.join();
    if (failure) std::rethrow_exception(failure);

    set.pixel_owner = std::move(buffer);
    return set;
}

ImageSet read_cars3d_npz(const std::string& path) {
    NpzArchive archive(path);
    auto images = std::make_shared<NpyArray>(archive.load("images"));
    images->require("|u1", {-1, kCars3dSide, kCars3dSide, kChannels});
    const NpyArray factors = archive.load("factors");
    const int64_t n = images->shape()[0];
    factors.require("<i8", {n, 3});
    const NpyArray sizes = archive.load("factor_sizes");
    sizes.require("<i8", {3});

    ImageSet set;
    set.count = n;
    set.height = kCars3dSide;
    set.width = kCars3dSide;
    set.channels = kChannels;
    set.pixels = images->bytes();
    set.pixel_owner = images;
    set.factor_names = kFactorNames;
    set.factor_sizes = sizes.to_vector<int64_t>();
    set.factor_classes = factors.to_vector<int64_t>();
    set.target_factor = kTargetFactor;
    int64_t grid = 1;
    for (int64_t s : set.factor_sizes) grid *= s;
    if (grid != n)
        throw DataFileError(path,
                            "factor_sizes " + shape_to_string(set.factor_sizes) + " do not multiply to the " +
                                std::to_string(n) + " images",
                            kCars3dNpzFormat);
    for (int64_t i = 0; i < n; ++i)
        for (int64_t f = 0; f < 3; ++f) {
            const int64_t v = set.factor_class(i, f);
            if (v < 0 || v >= set.factor_sizes[static_cast<size_t>(f)])
                throw DataFileError(path,
                                    "factors[" + std::to_string(i) + ", " + std::to_string(f) + "] = " +
                                        std::to_string(v) + " is outside [0, " +
                                        std::to_string(set.factor_sizes[static_cast<size_t>(f)]) + ")",
                                    kCars3dNpzFormat);
        }
    return set;
}

}  // namespace idlab::images
