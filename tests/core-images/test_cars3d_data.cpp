// core.cars3d, the data component: its fields, the seeded 80/10/10 split, training batches
// drawn from the training split only (deterministic, independent of the batch size), the
// evaluation split read in order, the pixel layout of x, the data location from `path` or
// IDLAB_DATA, and the error for a missing dataset (file, format, where it is published).
#include "cars3d_data.hpp"
#include "cars3d_fixture.hpp"
#include "dataset_split.hpp"
#include "file_writers.hpp"
#include "images_test_support.hpp"
#include "support/config_builder.hpp"
#include "support/tensor.hpp"

#include <idlab/plugin.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <set>
#include <string>
#include <vector>

using namespace idlab::test;
using idlab::images::Cars3dData;
using idlab::images::DatasetSplit;
using Catch::Matchers::Contains;

namespace {

constexpr int64_t kPixels = 3 * 64 * 64;

ConfigBuilder cars3d_config(const std::string& path, const std::string& eval_split = "val") {
    ConfigBuilder c;
    c.set_string("path", path).set_string("eval_split", eval_split).set_int("load_threads", 1);
    return c;
}

std::unique_ptr<Cars3dData> make_cars3d(ConfigBuilder& config, uint64_t seed = 3) {
    idlab_create_ctx_t ctx{};
    ctx.struct_size = sizeof ctx;
    ctx.device = DLDevice{kDLCPU, 0};
    ctx.seed = seed;
    ctx.stage = "data";
    return std::make_unique<Cars3dData>(idlab::CreateContext(&ctx), idlab::Config(config.get()));
}

idlab_exec_ctx_t sample_ctx(uint64_t seed, uint64_t counter, uint64_t stream) {
    idlab_exec_ctx_t ctx{};
    ctx.struct_size = sizeof ctx;
    ctx.device = DLDevice{kDLCPU, 0};
    ctx.rng = idlab_rng_t{seed, stream, counter};
    ctx.training = stream == IDLAB_RNG_STREAM_TRAIN;
    return ctx;
}

struct Batch {
    explicit Batch(int64_t n)
        : x({n, kPixels}), z({n, 3}), label({n}), elevation({n}), azimuth({n}), object({n}), index({n}) {}
    OwnedTensor<float> x, z;
    OwnedTensor<int64_t> label, elevation, azimuth, object, index;
};

Batch draw(Cars3dData& data, const idlab_exec_ctx_t& ctx, int64_t n) {
    Batch b(n);
    std::vector<idlab_named_tensor_t> items = {{"x", b.x.view()},          {"z", b.z.view()},
                                               {"label", b.label.view()},  {"elevation", b.elevation.view()},
                                               {"azimuth", b.azimuth.view()}, {"object_type", b.object.view()},
                                               {"index", b.index.view()}};
    idlab_tensor_set_t set{static_cast<uint32_t>(items.size()), items.data()};
    data.sample(ctx, n, idlab::TensorSet(&set));
    return b;
}

// A fixture folder laid out as under IDLAB_DATA: <root>/cars3d/raw.
std::filesystem::path fixture_root(const std::string& name) {
    const auto root = scratch_dir(name);
    Cars3dFixture().write(root / "cars3d" / "raw");
    return root;
}

// The config error create() raises, as the host would see it.
idlab::Error creation_error(ConfigBuilder& config) {
    try {
        make_cars3d(config);
    } catch (const idlab::Error& e) {
        return e;
    }
    FAIL("creating core.cars3d did not fail");
    return idlab::Error(IDLAB_STATUS_OK, "");
}

// Sets or clears IDLAB_DATA for one scope.
class ScopedDataRoot {
public:
    explicit ScopedDataRoot(const char* value) {
        if (const char* old = std::getenv("IDLAB_DATA")) old_ = old, had_ = true;
        if (value) setenv("IDLAB_DATA", value, 1);
        else unsetenv("IDLAB_DATA");
    }
    ~ScopedDataRoot() {
        if (had_) setenv("IDLAB_DATA", old_.c_str(), 1);
        else unsetenv("IDLAB_DATA");
    }

private:
    std::string old_;
    bool had_ = false;
};

}  // namespace

TEST_CASE("cars3d data: fields with their widths and cardinalities", "[core-images][cars3d-data]") {
    const auto root = fixture_root("data-fields");
    ConfigBuilder config = cars3d_config((root / "cars3d" / "raw").string());
    auto data = make_cars3d(config);
    const auto& f = data->fields();
    const std::vector<std::string> names = {"x", "label", "z", "elevation", "azimuth", "object_type", "index"};
    REQUIRE(f.size() == names.size());
    for (size_t i = 0; i < names.size(); ++i) CHECK(f[i].name == names[i]);
    CHECK(f[0].dtype == IDLAB_DTYPE_F32);
    CHECK(f[0].width == kPixels);
    CHECK(f[1].dtype == IDLAB_DTYPE_I64);
    CHECK(f[1].cardinality == 3);  // the fixture's objects; 183 on the real data
    CHECK(f[2].dtype == IDLAB_DTYPE_F32);
    CHECK(f[2].width == 3);
    CHECK(f[3].cardinality == 2);
    CHECK(f[4].cardinality == 3);
    CHECK(f[5].cardinality == 3);
    CHECK(f[6].cardinality == 18);
    CHECK_THAT(std::string(f[1].doc), Contains("object_type"));
}

TEST_CASE("cars3d data: the split is 80/10/10, disjoint, complete and seeded", "[core-images][cars3d-data]") {
    const DatasetSplit s = idlab::images::make_split(17568, 0);
    CHECK(s.train.size() == 14056);
    CHECK(s.val.size() == 1756);
    CHECK(s.test.size() == 1756);
    std::vector<int64_t> all = s.train;
    all.insert(all.end(), s.val.begin(), s.val.end());
    all.insert(all.end(), s.test.begin(), s.test.end());
    std::sort(all.begin(), all.end());
    for (int64_t i = 0; i < 17568; ++i) REQUIRE(all[i] == i);
    CHECK(std::is_sorted(s.val.begin(), s.val.end()));

    const DatasetSplit again = idlab::images::make_split(17568, 0);
    CHECK(again.val == s.val);
    const DatasetSplit other = idlab::images::make_split(17568, 1);
    CHECK(other.val != s.val);
    // A random split puts about 10% of every 1000-image block into validation.
    int64_t first_block = 0;
    for (int64_t i : s.val) first_block += i < 1000;
    CHECK(first_block > 60);
    CHECK(first_block < 140);
}

TEST_CASE("cars3d data: training batches come from the training split, with consistent fields", "[core-images][cars3d-data]") {
    const auto root = fixture_root("data-train");
    ConfigBuilder config = cars3d_config((root / "cars3d" / "raw").string());
    auto data = make_cars3d(config);
    const auto& images = data->images();
    const std::set<int64_t> train(data->split().train.begin(), data->split().train.end());
    REQUIRE(train.size() == 16);  // 18 images: 1 val, 1 test

    const int64_t n = 64;
    Batch b = draw(*data, sample_ctx(3, 0, IDLAB_RNG_STREAM_TRAIN), n);
    std::set<int64_t> seen;
    for (int64_t j = 0; j < n; ++j) {
        const int64_t i = b.index[j];
        INFO("row " << j << ", image " << i);
        REQUIRE(train.count(i) == 1);
        seen.insert(i);
        CHECK(b.elevation[j] == images.factor_class(i, 0));
        CHECK(b.azimuth[j] == images.factor_class(i, 1));
        CHECK(b.object[j] == images.factor_class(i, 2));
        CHECK(b.label[j] == b.object[j]);
        CHECK(b.z[j * 3 + 0] == static_cast<float>(b.elevation[j]) / 1.0f);
        CHECK(b.z[j * 3 + 1] == static_cast<float>(b.azimuth[j]) / 2.0f);
        CHECK(b.z[j * 3 + 2] == static_cast<float>(b.object[j]) / 2.0f);
        // x is channel-major: x[c * 4096 + row * 64 + col] = pixel (row, col) channel c / 255.
        const uint8_t* px = images.image(i);
        for (int64_t p : {0, 1, 64, 2049, 4095})
            for (int64_t c = 0; c < 3; ++c)
                CHECK(b.x[j * kPixels + c * 4096 + p] == static_cast<float>(px[p * 3 + c]) / 255.0f);
    }
    CHECK(seen.size() > 10);  // 64 draws from 16 images reach most of them
    float lo = 1, hi = 0;
    for (size_t k = 0; k < b.x.size(); ++k) lo = std::min(lo, b.x[k]), hi = std::max(hi, b.x[k]);
    CHECK(lo >= 0.0f);
    CHECK(hi <= 1.0f);
}

TEST_CASE("cars3d data: batches depend on (seed, stream, counter) only", "[core-images][cars3d-data]") {
    const auto root = fixture_root("data-determinism");
    ConfigBuilder config = cars3d_config((root / "cars3d" / "raw").string());
    auto data = make_cars3d(config);
    auto indices = [&](uint64_t seed, uint64_t counter, int64_t n) {
        Batch b = draw(*data, sample_ctx(seed, counter, IDLAB_RNG_STREAM_TRAIN), n);
        return std::vector<int64_t>(b.index.data(), b.index.data() + n);
    };
    const std::vector<int64_t> a = indices(3, 5, 12);
    CHECK(indices(3, 5, 12) == a);
    const std::vector<int64_t> prefix = indices(3, 5, 4);  // the batch size does not matter
    CHECK(std::equal(prefix.begin(), prefix.end(), a.begin()));
    CHECK(indices(3, 6, 12) != a);
    CHECK(indices(4, 5, 12) != a);
}

TEST_CASE("cars3d data: evaluation reads the evaluation split in order", "[core-images][cars3d-data]") {
    const auto root = fixture_root("data-eval");
    for (const std::string split : {"val", "test"}) {
        INFO("eval_split = " << split);
        ConfigBuilder config = cars3d_config((root / "cars3d" / "raw").string(), split);
        auto data = make_cars3d(config);
        const std::vector<int64_t>& rows = split == "val" ? data->split().val : data->split().test;
        REQUIRE(rows.size() == 1);
        CHECK(&data->eval_rows() == &rows);
        Batch b = draw(*data, sample_ctx(3, 7, IDLAB_RNG_STREAM_EVAL), 3);
        for (int64_t j = 0; j < 3; ++j) CHECK(b.index[j] == rows[0]);
    }
    ConfigBuilder bad = cars3d_config((root / "cars3d" / "raw").string(), "train");
    const idlab::Error e = creation_error(bad);
    CHECK(e.param_key() == "eval_split");
}

TEST_CASE("cars3d data: the split follows the run seed", "[core-images][cars3d-data]") {
    const auto root = scratch_dir("data-seed");
    Cars3dFixture fx;
    fx.names = {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"};
    fx.side = 16;  // 60 small images
    fx.write(root);
    ConfigBuilder config = cars3d_config(root.string());
    auto a = make_cars3d(config, 1);
    auto b = make_cars3d(config, 1);
    auto c = make_cars3d(config, 2);
    CHECK(a->split().val.size() == 6);
    CHECK(a->split().val == b->split().val);
    CHECK(a->split().val != c->split().val);
}

TEST_CASE("cars3d data: an .npz path reads the cached layout", "[core-images][cars3d-data]") {
    const auto dir = scratch_dir("data-npz");
    std::vector<int64_t> factors;
    for (int64_t i = 0; i < 20; ++i) factors.insert(factors.end(), {0, i / 4, i % 4});
    Bytes pixels(static_cast<size_t>(20 * kPixels));
    for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<uint8_t>(i * 13 % 256);
    write_file(dir / "cars.npz",
               zip_bytes({{"images.npy", npy_bytes("|u1", "(20, 64, 64, 3)", pixels), true},
                          {"factors.npy", npy_bytes("<i8", "(20, 3)", raw_bytes(factors)), true},
                          {"factor_sizes.npy", npy_bytes("<i8", "(3,)", raw_bytes(std::vector<int64_t>{1, 5, 4})), true}}));
    ConfigBuilder config = cars3d_config((dir / "cars.npz").string());
    auto data = make_cars3d(config);
    CHECK(data->images().count == 20);
    CHECK(data->fields()[1].cardinality == 4);
    Batch b = draw(*data, sample_ctx(3, 0, IDLAB_RNG_STREAM_TRAIN), 8);
    for (int64_t j = 0; j < 8; ++j) {
        CHECK(b.label[j] == b.index[j] % 4);
        CHECK(b.z[j * 3 + 0] == 0.0f);  // a factor of one value
        CHECK(b.x[j * kPixels + 4096] == static_cast<float>(pixels[static_cast<size_t>(b.index[j] * kPixels + 1)]) / 255.0f);
    }
}

TEST_CASE("cars3d data: the location comes from `path`, else IDLAB_DATA", "[core-images][cars3d-data]") {
    const auto root = fixture_root("data-location");
    SECTION("IDLAB_DATA/cars3d/raw when path is empty") {
        ScopedDataRoot env(root.string().c_str());
        ConfigBuilder config = cars3d_config("");
        CHECK(make_cars3d(config)->images().count == 18);
    }
    SECTION("path wins over IDLAB_DATA") {
        ScopedDataRoot env("/nonexistent-idlab-data");
        ConfigBuilder config = cars3d_config((root / "cars3d" / "raw").string());
        CHECK(make_cars3d(config)->images().count == 18);
    }
    SECTION("neither: an error that says what to set and where the data is published") {
        ScopedDataRoot env(nullptr);
        ConfigBuilder config = cars3d_config("");
        const idlab::Error e = creation_error(config);
        CHECK(e.code() == IDLAB_STATUS_INVALID_CONFIG);
        CHECK(e.param_key() == "path");
        CHECK_THAT(std::string(e.what()), Contains("IDLAB_DATA") && Contains("cars3d/raw") &&
                                              Contains("nips2015-analogy-data.tar.gz"));
    }
}

TEST_CASE("cars3d data: a missing or broken dataset names the file, the format and the source", "[core-images][cars3d-data][errors]") {
    const auto root = fixture_root("data-missing");
    SECTION("the path does not exist") {
        ConfigBuilder config = cars3d_config((root / "nowhere").string());
        const idlab::Error e = creation_error(config);
        CHECK(e.code() == IDLAB_STATUS_INVALID_CONFIG);
        CHECK(e.param_key() == "path");
        CHECK_THAT(std::string(e.what()),
                   Contains("core.cars3d") && Contains((root / "nowhere").string()) && Contains("does not exist") &&
                       Contains("the DisLib Cars3D folder") && Contains(".npz") &&
                       Contains("http://www.scottreed.info/files/nips2015-analogy-data.tar.gz"));
    }
    SECTION("a truncated .mat file in the folder") {
        const auto file = root / "cars3d" / "raw" / "car_007_mesh.mat";
        Bytes b = read_file(file);
        b.resize(b.size() - 100);
        write_file(file, b);
        ConfigBuilder config = cars3d_config((root / "cars3d" / "raw").string());
        const idlab::Error e = creation_error(config);
        CHECK(e.param_key() == "path");
        CHECK_THAT(std::string(e.what()), Contains("car_007_mesh.mat") && Contains("truncated") &&
                                              Contains("MAT v5") && Contains("nips2015-analogy-data"));
    }
    SECTION("a file that is not an .npz") {
        write_file(root / "cars.npz", Bytes(100, 'x'));
        ConfigBuilder config = cars3d_config((root / "cars.npz").string());
        CHECK_THAT(std::string(creation_error(config).what()),
                   Contains("cars.npz") && Contains("NumPy .npz archive") && Contains("nips2015-analogy-data"));
    }
}

TEST_CASE("cars3d data: through the C ABI, a failure is a status and a message", "[core-images][cars3d-data]") {
    const idlab_component_desc_t* desc = idlab::detail::descriptor<Cars3dData>();
    CHECK(std::string(desc->id) == "core.cars3d");
    CHECK(desc->kind == IDLAB_KIND_DATA);
    ScopedDataRoot env(nullptr);
    ConfigBuilder config = cars3d_config("/nonexistent/cars3d");
    idlab_create_ctx_t ctx{};
    ctx.struct_size = sizeof ctx;
    ctx.stage = "data";
    char message[512] = {0}, key[64] = {0};
    idlab_error_t err{sizeof(idlab_error_t), 0, message, sizeof message, key, sizeof key};
    idlab_instance_t* instance = nullptr;
    CHECK(desc->create(&ctx, config.get(), &instance, &err) == IDLAB_STATUS_INVALID_CONFIG);
    CHECK(instance == nullptr);
    CHECK(std::string(key) == "path");
    CHECK_THAT(std::string(message), Contains("/nonexistent/cars3d") && Contains("does not exist"));
}
