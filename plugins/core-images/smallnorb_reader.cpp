#include "smallnorb_reader.hpp"

#include "binary_matrix.hpp"
#include "data_file_error.hpp"
#include "pillow_resize.hpp"

#include <memory>
#include <vector>

namespace idlab::images {

namespace {

constexpr int64_t kInSide = 96, kOutSide = 64;
const std::vector<int64_t> kFactorSizes = {5, 10, 9, 18, 6};  // category, instance, elevation, rotation, lighting

std::string join(const std::string& folder, const std::string& name) {
    return folder.empty() || folder.back() == '/' ? folder + name : folder + "/" + name;
}

struct Part {
    BinaryMatrix dat, cat, info;
    int64_t count = 0;
};

Part read_part(const std::string& folder, const std::string& part) {
    Part p{BinaryMatrix::open(join(folder, smallnorb_file_name(part, "dat"))),
           BinaryMatrix::open(join(folder, smallnorb_file_name(part, "cat"))),
           BinaryMatrix::open(join(folder, smallnorb_file_name(part, "info"))), 0};
    p.dat.require(BinaryMatrixType::Uint8, {-1, 2, kInSide, kInSide});
    p.count = p.dat.dims()[0];
    p.cat.require(BinaryMatrixType::Int32, {p.count});
    p.info.require(BinaryMatrixType::Int32, {p.count, 4});
    return p;
}

}  // namespace

std::string smallnorb_file_name(const std::string& part, const std::string& kind) {
    const std::string instances = part == "training" ? "46789" : "01235";
    return "smallnorb-5x" + instances + "x9x18x6x2x96x96-" + part + "-" + kind + ".mat";
}

ImageSet read_smallnorb_folder(const std::string& folder) {
    const Part parts[2] = {read_part(folder, "training"), read_part(folder, "testing")};
    const int64_t n = parts[0].count + parts[1].count;

    auto pixels = std::make_shared<std::vector<uint8_t>>(static_cast<size_t>(n * kOutSide * kOutSide));
    ImageSet set;
    set.count = n;
    set.height = kOutSide;
    set.width = kOutSide;
    set.channels = 1;
    set.factor_names = {"category", "instance", "elevation", "rotation", "lighting"};
    set.factor_sizes = kFactorSizes;
    set.target_factor = 0;
    set.factor_classes.resize(static_cast<size_t>(n * 5));

    BilinearResizer resizer(kInSide, kInSide, kOutSide, kOutSide);
    int64_t row = 0;
    for (const Part& part : parts) {
        const std::vector<int32_t> cat = part.cat.int32_values();
        const std::vector<int32_t> info = part.info.int32_values();
        for (int64_t i = 0; i < part.count; ++i, ++row) {
            ImageView view;
            view.data = part.dat.data() + i * 2 * kInSide * kInSide;  // camera 0 of pair i
            view.height = kInSide;
            view.width = kInSide;
            view.channels = 1;
            view.row_stride = kInSide;
            view.col_stride = 1;
            view.channel_stride = 0;
            resizer.resize(view, pixels->data() + row * kOutSide * kOutSide);

            const int32_t* in = &info[static_cast<size_t>(i * 4)];
            const int64_t azimuth = in[2];
            const int64_t classes[5] = {cat[static_cast<size_t>(i)], in[0], in[1], azimuth / 2, in[3]};
            const bool even = azimuth % 2 == 0;
            for (int k = 0; k < 5; ++k) {
                if (classes[k] < 0 || classes[k] >= kFactorSizes[static_cast<size_t>(k)] || (k == 3 && !even))
                    throw DataFileError(k == 0 ? part.cat.path() : part.info.path(),
                                        "row " + std::to_string(i) + ": " + set.factor_names[static_cast<size_t>(k)] +
                                            " " + std::to_string(k == 3 ? azimuth : classes[k]) +
                                            " is outside the small NORB range" +
                                            (k == 3 ? " (azimuth 0, 2, ..., 34)" : ""),
                                        kBinaryMatrixFormat);
                set.factor_classes[static_cast<size_t>(row * 5 + k)] = classes[k];
            }
        }
    }
    set.pixels = pixels->data();
    set.pixel_owner = pixels;
    return set;
}

}  // namespace idlab::images
