// core.cars3d, the data component: its fields, the seeded 80/10/10 split, training batches
// drawn from the training split only (deterministic, independent of the batch size), the fixed
// evaluation sequence (training rows, then the held-out splits, each a random subset in random
// order, with the `split` field), the pixel layout of x, the data location from `path` or
// IDLAB_DATA, and the error for a missing dataset (file, format, where it is published).
#include "cars3d_data.hpp"
#include "cars3d_fixture.hpp"
#include "dataset_split.hpp"
#include "evaluation_rows.hpp"
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

ConfigBuilder cars3d_config(const std::string& path, const std::string& eval_split = "val", int64_t train_rows = 0,
                            int64_t rows_per_split = -1) {
    ConfigBuilder c;
    c.set_string("path", path).set_string("eval_split", eval_split).set_int("load_threads", 1);
    c.set_int("eval_train_rows", train_rows).set_int("eval_rows_per_split", rows_per_split);
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
        : x({n, kPixels}), z({n, 3}), label({n}), elevation({n}), azimuth({n}), object({n}), index({n}), split({n}) {}
    OwnedTensor<float> x, z;
    OwnedTensor<int64_t> label, elevation, azimuth, object, index, split;
};

Batch draw(Cars3dData& data, const idlab_exec_ctx_t& ctx, int64_t n) {
    Batch b(n);
    std::vector<idlab_named_tensor_t> items = {{"x", b.x.view()},          {"z", b.z.view()},
                                               {"label", b.label.view()},  {"elevation", b.elevation.view()},
                                               {"azimuth", b.azimuth.view()}, {"object_type", b.object.view()},
                                               {"index", b.index.view()},  {"split", b.split.view()}};
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
    const std::vector<std::string> names = {"x",       "label",       "z",     "elevation",
                                            "azimuth", "object_type", "index", "split"};
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
    CHECK(f[7].cardinality == 3);
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
        CHECK(b.split[j] == 0);
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

TEST_CASE("cars3d data: evaluation reads training rows, then the held-out splits", "[core-images][cars3d-data]") {
    const auto root = fixture_root("data-eval");
    const std::string folder = (root / "cars3d" / "raw").string();
    ConfigBuilder val_config = cars3d_config(folder, "val");
    auto probe = make_cars3d(val_config);
    const DatasetSplit& s = probe->split();
    REQUIRE(s.train.size() == 16);
    REQUIRE(s.val.size() == 1);
    REQUIRE(s.test.size() == 1);
    const std::set<int64_t> train(s.train.begin(), s.train.end());

    struct Case {
        std::string splits;
        int64_t train_rows;
        std::vector<int64_t> parts;  // the expected split value of each row
    };
    const std::vector<Case> cases = {
        {"val", 0, {1}},
        {"test", 0, {2}},
        {"val+test", 0, {1, 2}},
        {"val", 3, {0, 0, 0, 1}},
        {"val+test", -1, std::vector<int64_t>(16, 0)},
    };
    for (const Case& c : cases) {
        INFO("eval_split = " << c.splits << ", eval_train_rows = " << c.train_rows);
        std::vector<int64_t> parts = c.parts;
        if (c.train_rows == -1) parts.insert(parts.end(), {1, 2});
        ConfigBuilder config = cars3d_config(folder, c.splits, c.train_rows);
        auto data = make_cars3d(config);
        const int64_t n = static_cast<int64_t>(parts.size());
        REQUIRE(data->eval_rows().size() == n);
        Batch b = draw(*data, sample_ctx(3, 7, IDLAB_RNG_STREAM_EVAL), n);
        std::set<int64_t> seen;
        for (int64_t j = 0; j < n; ++j) {
            INFO("row " << j);
            CHECK(b.split[j] == parts[static_cast<size_t>(j)]);
            if (parts[static_cast<size_t>(j)] == 0) CHECK(train.count(b.index[j]) == 1);
            if (parts[static_cast<size_t>(j)] == 1) CHECK(b.index[j] == s.val[0]);
            if (parts[static_cast<size_t>(j)] == 2) CHECK(b.index[j] == s.test[0]);
            CHECK(b.label[j] == probe->images().factor_class(b.index[j], 2));
            seen.insert(b.index[j]);
        }
        CHECK(static_cast<int64_t>(seen.size()) == n);  // no image twice
        // Every evaluation reads the same rows, whatever its counter.
        Batch again = draw(*data, sample_ctx(3, 8, IDLAB_RNG_STREAM_EVAL), n);
        CHECK(std::vector<int64_t>(again.index.data(), again.index.data() + n) ==
              std::vector<int64_t>(b.index.data(), b.index.data() + n));
        // A shorter batch reads a prefix; a longer one is refused, naming the recipe key.
        Batch prefix = draw(*data, sample_ctx(3, 9, IDLAB_RNG_STREAM_EVAL), 1);
        CHECK(prefix.index[0] == b.index[0]);
        try {
            draw(*data, sample_ctx(3, 9, IDLAB_RNG_STREAM_EVAL), n + 1);
            FAIL("an evaluation batch longer than the sequence was accepted");
        } catch (const idlab::Error& e) {
            CHECK_THAT(std::string(e.what()), Contains("train.eval_samples") && Contains(std::to_string(n)));
        }
    }
    ConfigBuilder bad = cars3d_config(folder, "train");
    CHECK(creation_error(bad).param_key() == "eval_split");
    ConfigBuilder bad_rows = cars3d_config(folder, "val", -2);
    CHECK(creation_error(bad_rows).param_key() == "eval_train_rows");
    ConfigBuilder bad_cap = cars3d_config(folder, "val", 0, 0);
    CHECK(creation_error(bad_cap).param_key() == "eval_rows_per_split");
}

TEST_CASE("cars3d data: each evaluation part is a seeded random subset in random order", "[core-images][cars3d-data]") {
    const DatasetSplit s = idlab::images::make_split(17568, 0);
    idlab::images::EvaluationOptions o;
    o.splits = "val+test";
    o.train_rows = 2000;
    o.rows_per_split = 1000;
    const idlab::images::EvaluationRows rows = idlab::images::make_evaluation_rows(s, o, 0);
    REQUIRE(rows.size() == 4000);
    CHECK(rows.train == 2000);
    CHECK(rows.val == 1000);
    CHECK(rows.test == 1000);
    CHECK(rows.describe() == "2000 train + 1000 val + 1000 test");
    const std::set<int64_t> val(s.val.begin(), s.val.end()), test(s.test.begin(), s.test.end()),
        train(s.train.begin(), s.train.end());
    for (int64_t j = 0; j < 4000; ++j) {
        const int64_t i = rows.image[static_cast<size_t>(j)];
        const int64_t part = rows.split[static_cast<size_t>(j)];
        REQUIRE(part == (j < 2000 ? 0 : j < 3000 ? 1 : 2));
        REQUIRE((part == 0 ? train : part == 1 ? val : test).count(i) == 1);
    }
    // Random order: the first half of the validation rows is no corner of the index range (the
    // image index runs elevation-major, so sorted rows would put the low elevations first).
    const std::vector<int64_t> first_half(rows.image.begin() + 2000, rows.image.begin() + 2500);
    CHECK_FALSE(std::is_sorted(first_half.begin(), first_half.end()));
    int64_t low = 0;
    for (int64_t i : first_half) low += i < 17568 / 2;
    CHECK(low > 200);
    CHECK(low < 300);
    // Seeded: the same seed, the same rows; another seed, others.
    CHECK(idlab::images::make_evaluation_rows(s, o, 0).image == rows.image);
    CHECK(idlab::images::make_evaluation_rows(s, o, 1).image != rows.image);
    // Uncapped parts hold their whole split.
    o.train_rows = -1;
    o.rows_per_split = -1;
    const idlab::images::EvaluationRows all = idlab::images::make_evaluation_rows(s, o, 0);
    CHECK(all.size() == 17568);
    std::vector<int64_t> sorted = all.image;
    std::sort(sorted.begin(), sorted.end());
    for (int64_t i = 0; i < 17568; ++i) REQUIRE(sorted[static_cast<size_t>(i)] == i);
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
