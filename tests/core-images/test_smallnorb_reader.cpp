// core.smallnorb on small files in NYU's binary matrix format (the six training/testing
// dat/cat/info files): training and testing merged, camera 0 resized 96 -> 64 as Pillow does,
// rotation = azimuth / 2; the binary matrix reader's header rules; and the errors for a
// gzipped, truncated or foreign file and out-of-range labels.
#include "binary_matrix.hpp"
#include "data_harness.hpp"
#include "file_writers.hpp"
#include "images_test_support.hpp"
#include "pillow_resize.hpp"
#include "smallnorb_data.hpp"
#include "smallnorb_reader.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

using namespace idlab::test;
using idlab::images::BinaryMatrix;
using idlab::images::BinaryMatrixType;
using idlab::images::ImageSet;
using idlab::images::SmallnorbData;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

constexpr uint32_t kByteMagic = 0x1E3D4C55, kIntMagic = 0x1E3D4C54;

// `count` stereo pairs; pixel (camera, row, col) of pair i follows a pattern, camera 1 differs.
struct NorbPart {
    int64_t count;
    int64_t first_instance;
    Bytes dat() const {
        Bytes b(static_cast<size_t>(count * 2 * 96 * 96));
        for (int64_t i = 0; i < count; ++i)
            for (int64_t cam = 0; cam < 2; ++cam)
                for (int64_t p = 0; p < 96 * 96; ++p)
                    b[static_cast<size_t>((i * 2 + cam) * 9216 + p)] =
                        static_cast<uint8_t>(cam ? 255 - (p % 256) : (p / 96 * 3 + p % 96 * 5 + i * 17) % 256);
        return b;
    }
    std::vector<int32_t> cat() const {
        std::vector<int32_t> c;
        for (int64_t i = 0; i < count; ++i) c.push_back(static_cast<int32_t>(i % 5));
        return c;
    }
    std::vector<int32_t> info() const {  // instance, elevation, azimuth (even), lighting
        std::vector<int32_t> v;
        for (int64_t i = 0; i < count; ++i)
            v.insert(v.end(), {static_cast<int32_t>(first_instance + i % 2), static_cast<int32_t>(i % 9),
                               static_cast<int32_t>(2 * (i % 18)), static_cast<int32_t>(i % 6)});
        return v;
    }
};

const NorbPart kTraining{4, 4}, kTesting{3, 0};

void write_part(const fs::path& dir, const std::string& part, const NorbPart& p) {
    using idlab::images::smallnorb_file_name;
    const int32_t n = static_cast<int32_t>(p.count);
    write_file(dir / smallnorb_file_name(part, "dat"), binary_matrix_bytes(kByteMagic, {n, 2, 96, 96}, p.dat()));
    write_file(dir / smallnorb_file_name(part, "cat"), binary_matrix_bytes(kIntMagic, {n}, raw_bytes(p.cat())));
    write_file(dir / smallnorb_file_name(part, "info"), binary_matrix_bytes(kIntMagic, {n, 4}, raw_bytes(p.info())));
}

fs::path norb_folder(const std::string& name) {
    const auto dir = scratch_dir(name) / "smallnorb";
    write_part(dir, "training", kTraining);
    write_part(dir, "testing", kTesting);
    return dir;
}

}  // namespace

TEST_CASE("binary matrix: header, padding dimensions and exact size", "[core-images][smallnorb]") {
    const auto dir = scratch_dir("binary-matrix");
    write_file(dir / "v.mat", binary_matrix_bytes(kIntMagic, {3}, raw_bytes(std::vector<int32_t>{7, -1, 9})));
    const BinaryMatrix v = BinaryMatrix::open((dir / "v.mat").string());
    CHECK(v.type() == BinaryMatrixType::Int32);
    CHECK(v.dims() == std::vector<int64_t>{3});  // the two padding slots are not dimensions
    CHECK(v.int32_values() == std::vector<int32_t>{7, -1, 9});
    v.require(BinaryMatrixType::Int32, {-1});

    write_file(dir / "m.mat", binary_matrix_bytes(kByteMagic, {2, 2, 3, 5}, Bytes(60, 4)));
    const BinaryMatrix m = BinaryMatrix::open((dir / "m.mat").string());
    CHECK(m.dims() == std::vector<int64_t>{2, 2, 3, 5});
    CHECK(m.data()[59] == 4);
    CHECK_THAT(data_file_error_of([&] { m.require(BinaryMatrixType::Int32, {2, 2, 3, 5}); }),
               Contains("holds a uint8 matrix (2, 2, 3, 5), expected int32"));
}

TEST_CASE("smallnorb: training then testing, camera 0 resized like Pillow, rotation = azimuth / 2", "[core-images][smallnorb]") {
    const auto dir = norb_folder("smallnorb-read");
    const ImageSet set = idlab::images::read_smallnorb_folder(dir.string());
    REQUIRE(set.count == 7);
    CHECK(set.height == 64);
    CHECK(set.channels == 1);
    CHECK(set.factor_names == std::vector<std::string>{"category", "instance", "elevation", "rotation", "lighting"});
    CHECK(set.factor_sizes == std::vector<int64_t>{5, 10, 9, 18, 6});
    CHECK(set.target_factor == 0);
    idlab::images::BilinearResizer resizer(96, 96, 64, 64);
    std::vector<uint8_t> expected(4096);
    int64_t row = 0;
    for (const NorbPart* part : {&kTraining, &kTesting}) {
        const Bytes dat = part->dat();
        const std::vector<int32_t> cat = part->cat(), info = part->info();
        for (int64_t i = 0; i < part->count; ++i, ++row) {
            INFO("image " << row);
            idlab::images::ImageView view;
            view.data = dat.data() + i * 2 * 9216;
            view.height = view.width = 96;
            view.channels = 1;
            view.row_stride = 96;
            view.col_stride = 1;
            resizer.resize(view, expected.data());
            CHECK(std::vector<uint8_t>(set.image(row), set.image(row) + 4096) == expected);
            CHECK(set.factor_class(row, 0) == cat[static_cast<size_t>(i)]);
            CHECK(set.factor_class(row, 1) == info[static_cast<size_t>(i * 4)]);
            CHECK(set.factor_class(row, 2) == info[static_cast<size_t>(i * 4 + 1)]);
            CHECK(set.factor_class(row, 3) == info[static_cast<size_t>(i * 4 + 2)] / 2);
            CHECK(set.factor_class(row, 4) == info[static_cast<size_t>(i * 4 + 3)]);
        }
    }
    // Camera 1 (an inverted ramp) is not what was read: the resized ramp of camera 0 is.
    CHECK(set.image(0)[0] != 255);
}

TEST_CASE("smallnorb data: the folder under IDLAB_DATA/smallnorb, label = category", "[core-images][smallnorb]") {
    const auto dir = norb_folder("smallnorb-data");
    ScopedEnv env("IDLAB_DATA", dir.parent_path().string().c_str());
    ConfigBuilder config;
    config.set_string("path", "");
    auto data = make_data<SmallnorbData>(with_evaluation(config, "val+test"));
    CHECK(data->fields()[1].cardinality == 5);
    const FieldBatch b = draw_fields(*data, IDLAB_RNG_STREAM_TRAIN, 6);
    for (int64_t j = 0; j < 6; ++j) CHECK(b["label"][j] == b["category"][j]);
}

TEST_CASE("smallnorb data: gzipped, truncated, foreign or out-of-range files name file, format and source", "[core-images][smallnorb][errors]") {
    using idlab::images::smallnorb_file_name;
    auto error_for = [](const fs::path& dir) {
        ConfigBuilder config;
        config.set_string("path", dir.string());
        const idlab::Error e = data_creation_error<SmallnorbData>(with_evaluation(config));
        CHECK(e.param_key() == "path");
        const std::string m = e.what();
        CHECK_THAT(m, Contains("core.smallnorb") && Contains("cs.nyu.edu/~ylclab/data/norb-v1.0-small"));
        return m;
    };
    SECTION("a missing file") {
        const auto dir = norb_folder("smallnorb-missing");
        fs::remove(dir / smallnorb_file_name("testing", "info"));
        CHECK_THAT(error_for(dir), Contains(smallnorb_file_name("testing", "info")) && Contains("cannot open") &&
                                       Contains("NYU binary matrix"));
    }
    SECTION("a gzipped file") {
        const auto dir = norb_folder("smallnorb-gzip");
        const fs::path dat = dir / smallnorb_file_name("training", "dat");
        write_file(dat, gzip_bytes(read_file(dat)));
        CHECK_THAT(error_for(dir), Contains(dat.filename().string()) && Contains("gzip-compressed; unpack it first"));
    }
    SECTION("a truncated file") {
        const auto dir = norb_folder("smallnorb-truncated");
        const fs::path dat = dir / smallnorb_file_name("testing", "dat");
        Bytes b = read_file(dat);
        b.resize(b.size() - 1000);
        write_file(dat, b);
        CHECK_THAT(error_for(dir), Contains(dat.filename().string()) && Contains("truncated") &&
                                       Contains("uint8 matrix (3, 2, 96, 96)"));
    }
    SECTION("a file of another kind") {
        const auto dir = norb_folder("smallnorb-foreign");
        write_file(dir / smallnorb_file_name("training", "cat"), Bytes(64, 'x'));
        CHECK_THAT(error_for(dir), Contains("unknown magic number"));
    }
    SECTION("labels that disagree in length or range") {
        const auto dir = norb_folder("smallnorb-labels");
        write_file(dir / smallnorb_file_name("training", "cat"),
                   binary_matrix_bytes(kIntMagic, {3}, raw_bytes(std::vector<int32_t>{0, 1, 2})));
        CHECK_THAT(error_for(dir), Contains("holds a int32 matrix (3,), expected int32 (4,)"));
        std::vector<int32_t> info = kTraining.info();
        info[2] = 3;  // an odd azimuth
        write_file(dir / smallnorb_file_name("training", "cat"), binary_matrix_bytes(kIntMagic, {4}, raw_bytes(kTraining.cat())));
        write_file(dir / smallnorb_file_name("training", "info"), binary_matrix_bytes(kIntMagic, {4, 4}, raw_bytes(info)));
        CHECK_THAT(error_for(dir), Contains("rotation 3 is outside the small NORB range (azimuth 0, 2, ..., 34)"));
    }
}
