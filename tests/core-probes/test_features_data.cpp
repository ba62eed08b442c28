// core.features through the C ABI: its fields and cardinalities, evaluation batches (a random
// subset without repeats, deterministic in ctx.rng), training batches (uniform rows, one Philox
// sequence per batch row), embeddings and labels staying paired, and its configuration errors.
#include "component_harness.hpp"
#include "features_data.hpp"
#include "test_files.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <deque>
#include <map>
#include <set>
#include <vector>

using namespace idlab::test;
using idlab::probes::FeaturesData;

namespace {

// 6 rows of 3 features, row i = (i, 10 + i, 100 + i), and labels: label = i % 3,
// flag = i % 2, signed = i - 2.
struct Files {
    std::filesystem::path dir, npy, npz, csv;
};

Files write_files(const std::string& name) {
    Files f;
    f.dir = fresh_dir(name);
    std::vector<float> x;
    std::string csv = "label,flag,signed\n";
    for (int i = 0; i < 6; ++i) {
        x.insert(x.end(), {float(i), float(10 + i), float(100 + i)});
        csv += std::to_string(i % 3) + "," + std::to_string(i % 2) + "," + std::to_string(i - 2) + "\n";
    }
    f.npy = f.dir / "embeddings.npy";
    f.npz = f.dir / "embeddings.npz";
    f.csv = f.dir / "labels.csv";
    write_bytes(f.npy, npy("<f4", "(6, 3)", bytes_of(x)));
    write_bytes(f.npz, npz({{"features.npy", npy("<f4", "(6, 3)", bytes_of(x))},
                            {"names.npy", npy("<i8", "(1,)", bytes_of(std::vector<int64_t>{0}))}}));
    write_text(f.csv, csv);
    return f;
}

ConfigBuilder features_config(const std::string& path, const std::string& labels, const std::string& member = "",
                              const std::string& label_column = "") {
    ConfigBuilder c;
    c.set_string("path", path).set_string("member", member).set_string("labels", labels);
    c.set_string("label_column", label_column);
    return c;
}

// One batch of every field, drawn through the C ABI.
struct Batch {
    idlab_status_t status = IDLAB_STATUS_OK;
    std::string message;
    std::vector<float> x;                      // [batch, width]
    std::map<std::string, std::vector<int64_t>> ints;
    int64_t width = 0;
};

Batch draw(Instance<FeaturesData>& data, int64_t batch, idlab_rng_t rng) {
    const auto* vt = data.vtable<idlab_data_i>(IDLAB_IFACE_DATA);
    REQUIRE(vt != nullptr);
    std::deque<OwnedTensor<float>> floats;
    std::deque<OwnedTensor<int64_t>> ints;
    std::vector<idlab_named_tensor_t> items;
    Batch b;
    const int64_t rows = std::max<int64_t>(batch, 0);  // a negative batch is for the error case
    for (uint32_t i = 0; i < vt->field_count(data.get()); ++i) {
        const idlab_field_desc_t* f = vt->field(data.get(), i);
        if (f->dtype == IDLAB_DTYPE_F32) {
            b.width = f->width;
            floats.emplace_back(std::vector<int64_t>{rows, f->width});
            items.push_back({f->name, floats.back().view()});
        } else {
            ints.emplace_back(std::vector<int64_t>{rows});
            items.push_back({f->name, ints.back().view()});
        }
    }
    idlab_tensor_set_t set{static_cast<uint32_t>(items.size()), items.data()};
    idlab_exec_ctx_t ctx{};
    ctx.struct_size = sizeof ctx;
    ctx.device = DLDevice{kDLCPU, 0};
    ctx.rng = rng;
    char message[1024] = "";
    char key[64] = "";
    idlab_error_t err{sizeof(idlab_error_t), IDLAB_STATUS_OK, message, sizeof message, key, sizeof key};
    b.status = vt->sample(data.get(), &ctx, batch, &set, &err);
    b.message = message;
    if (!floats.empty()) b.x.assign(floats.front().data(), floats.front().data() + floats.front().size());
    size_t k = 0;
    for (const auto& item : items)
        if (item.tensor.dtype.code == kDLInt) {
            const auto& t = ints[k++];
            b.ints[item.name].assign(t.data(), t.data() + t.size());
        }
    return b;
}

// The file row each batch row came from (column 0 of x is the row index), checking that every
// other value of the row, and every label, belongs to that same row.
std::vector<int64_t> rows_of(const Batch& b) {
    std::vector<int64_t> rows;
    for (size_t j = 0; j < b.x.size() / 3; ++j) {
        const int64_t i = static_cast<int64_t>(b.x[j * 3]);
        CHECK(b.x[j * 3 + 1] == float(10 + i));
        CHECK(b.x[j * 3 + 2] == float(100 + i));
        if (b.ints.count("label")) {
            CHECK(b.ints.at("label")[j] == i % 3);
            CHECK(b.ints.at("flag")[j] == i % 2);
            CHECK(b.ints.at("signed")[j] == i - 2);
        }
        rows.push_back(i);
    }
    return rows;
}

constexpr idlab_rng_t kEval{5, IDLAB_RNG_STREAM_EVAL, 1};
constexpr idlab_rng_t kTrain{5, IDLAB_RNG_STREAM_TRAIN, 3};

}  // namespace

TEST_CASE("core.features exposes the embeddings and one field per label column", "[core-probes][features]") {
    const Files f = write_files("features_fields");
    ConfigBuilder config = features_config(f.npy.string(), f.csv.string());
    Instance<FeaturesData> data(config, {}, "data");
    INFO(data.created().message);
    REQUIRE(data.ok());
    const auto* vt = data.vtable<idlab_data_i>(IDLAB_IFACE_DATA);
    REQUIRE(vt->field_count(data.get()) == 4);
    struct Expected {
        const char* name;
        int32_t dtype;
        int64_t width, cardinality;
    };
    const Expected expected[] = {{"x", IDLAB_DTYPE_F32, 3, 0},
                                 {"label", IDLAB_DTYPE_I64, 0, 3},
                                 {"flag", IDLAB_DTYPE_I64, 0, 2},
                                 {"signed", IDLAB_DTYPE_I64, 0, 0}};  // negative values: not categorical
    for (uint32_t i = 0; i < 4; ++i) {
        const idlab_field_desc_t* field = vt->field(data.get(), i);
        INFO(expected[i].name);
        CHECK(std::string(field->name) == expected[i].name);
        CHECK(field->dtype == expected[i].dtype);
        CHECK(field->width == expected[i].width);
        CHECK(field->cardinality == expected[i].cardinality);
    }
}

TEST_CASE("core.features evaluation batches are random subsets without repeats", "[core-probes][features]") {
    const Files f = write_files("features_eval");
    ConfigBuilder config = features_config(f.npy.string(), f.csv.string());
    Instance<FeaturesData> data(config, {}, "data");
    REQUIRE(data.ok());
    const Batch all = draw(data, 6, kEval);
    REQUIRE(all.status == IDLAB_STATUS_OK);
    const std::vector<int64_t> order = rows_of(all);
    CHECK(std::set<int64_t>(order.begin(), order.end()).size() == 6);  // every row once

    // The same randomness gives the same order; a smaller batch is its prefix.
    CHECK(rows_of(draw(data, 6, kEval)) == order);
    const std::vector<int64_t> prefix = rows_of(draw(data, 4, kEval));
    CHECK(prefix == std::vector<int64_t>(order.begin(), order.begin() + 4));
    // Another evaluation counter shuffles differently (6! orders: some of 5 counters differ).
    bool differs = false;
    for (uint64_t counter = 2; counter < 7; ++counter)
        differs = differs || rows_of(draw(data, 6, {5, IDLAB_RNG_STREAM_EVAL, counter})) != order;
    CHECK(differs);
    CHECK(order != std::vector<int64_t>{0, 1, 2, 3, 4, 5});

    CHECK(draw(data, -1, kTrain).status == IDLAB_STATUS_INVALID_ARGUMENT);
    const Batch too_many = draw(data, 7, kEval);
    CHECK(too_many.status == IDLAB_STATUS_INVALID_ARGUMENT);
    CHECK_THAT(too_many.message, Catch::Contains("exceeds the 6 rows") && Catch::Contains("train.eval_samples"));
}

TEST_CASE("core.features training batches draw rows uniformly, one Philox sequence per batch row",
          "[core-probes][features]") {
    const Files f = write_files("features_train");
    ConfigBuilder config = features_config(f.npy.string(), f.csv.string());
    Instance<FeaturesData> data(config, {}, "data");
    REQUIRE(data.ok());
    const Batch big = draw(data, 600, kTrain);
    REQUIRE(big.status == IDLAB_STATUS_OK);
    const std::vector<int64_t> rows = rows_of(big);
    std::vector<int> counts(6, 0);
    for (int64_t r : rows) ++counts[static_cast<size_t>(r)];
    for (int c : counts) CHECK((c > 60 && c < 140));  // 100 expected, sd about 9
    // Row j of a batch depends on j and ctx.rng only, not on the batch size.
    const std::vector<int64_t> small = rows_of(draw(data, 10, kTrain));
    CHECK(small == std::vector<int64_t>(rows.begin(), rows.begin() + 10));
    CHECK(rows_of(draw(data, 10, {5, IDLAB_RNG_STREAM_TRAIN, 4})) != small);
}

TEST_CASE("core.features reads an .npz member and works without labels", "[core-probes][features]") {
    const Files f = write_files("features_npz");
    ConfigBuilder config = features_config(f.npz.string(), "", "features");
    Instance<FeaturesData> data(config, {}, "data");
    INFO(data.created().message);
    REQUIRE(data.ok());
    const auto* vt = data.vtable<idlab_data_i>(IDLAB_IFACE_DATA);
    CHECK(vt->field_count(data.get()) == 1);
    const Batch b = draw(data, 6, kEval);
    REQUIRE(b.status == IDLAB_STATUS_OK);
    const std::vector<int64_t> rows = rows_of(b);
    CHECK(std::set<int64_t>(rows.begin(), rows.end()).size() == 6);
}

TEST_CASE("core.features rejects a batch tensor of the wrong shape", "[core-probes][features]") {
    const Files f = write_files("features_shape");
    ConfigBuilder config = features_config(f.npy.string(), "");
    Instance<FeaturesData> data(config, {}, "data");
    REQUIRE(data.ok());
    const auto* vt = data.vtable<idlab_data_i>(IDLAB_IFACE_DATA);
    OwnedTensor<float> x({4, 2});  // the width is 3
    std::vector<idlab_named_tensor_t> items = {{"x", x.view()}};
    idlab_tensor_set_t set{1, items.data()};
    idlab_exec_ctx_t ctx{};
    ctx.struct_size = sizeof ctx;
    ctx.rng = kTrain;
    char message[512] = "";
    idlab_error_t err{sizeof(idlab_error_t), IDLAB_STATUS_OK, message, sizeof message, nullptr, 0};
    CHECK(vt->sample(data.get(), &ctx, 4, &set, &err) == IDLAB_STATUS_INVALID_ARGUMENT);
    CHECK_THAT(std::string(message), Catch::Contains("x: expected f32 [4, 3], got f32 [4, 2]"));
}

TEST_CASE("core.features serves a column as 'label' with label_column", "[core-probes][features]") {
    // ImageNet-X's table has a "class" column and no "label": a training loss needs one.
    const Files f = write_files("features_label_column");
    write_text(f.dir / "imagenetx.csv", "class,texture\n417,1\n3,0\n999,1\n0,0\n500,1\n42,0\n");
    ConfigBuilder config = features_config(f.npy.string(), (f.dir / "imagenetx.csv").string(), "", "class");
    Instance<FeaturesData> data(config, {}, "data");
    INFO(data.created().message);
    REQUIRE(data.ok());
    const auto* vt = data.vtable<idlab_data_i>(IDLAB_IFACE_DATA);
    REQUIRE(vt->field_count(data.get()) == 4);
    const idlab_field_desc_t* label = vt->field(data.get(), 3);
    CHECK(std::string(label->name) == "label");
    CHECK(label->cardinality == 1000);
    const Batch b = draw(data, 6, kEval);
    REQUIRE(b.status == IDLAB_STATUS_OK);
    CHECK(b.ints.at("label") == b.ints.at("class"));
    CHECK(std::set<int64_t>(b.ints.at("label").begin(), b.ints.at("label").end()) ==
          std::set<int64_t>{417, 3, 999, 0, 500, 42});

    ConfigBuilder missing = features_config(f.npy.string(), (f.dir / "imagenetx.csv").string(), "", "klass");
    Instance<FeaturesData> bad(missing, {}, "data");
    CHECK(bad.created().key == "label_column");
    CHECK_THAT(bad.created().message, Catch::Contains("no column 'klass' (it has: class, texture)"));
    ConfigBuilder twice = features_config(f.npy.string(), f.csv.string(), "", "flag");  // has "label" already
    Instance<FeaturesData> clash(twice, {}, "data");
    CHECK(clash.created().key == "label_column");
    CHECK_THAT(clash.created().message, Catch::Contains("has a column 'label' already"));
}

TEST_CASE("core.features reports unusable files as configuration errors on their key", "[core-probes][features]") {
    const Files f = write_files("features_errors");
    write_text(f.dir / "seven.csv", "label\n0\n1\n2\n3\n4\n5\n6\n");
    write_text(f.dir / "bad.csv", "label,flag\n0,1\n1,x\n");
    write_text(f.dir / "clash.csv", "x\n0\n1\n2\n3\n4\n5\n");
    write_text(f.dir / "clash_features.csv", "label,features\n0,0\n1,1\n2,0\n0,1\n1,0\n2,1\n");
    struct Case {
        std::string path, labels, member, key, message;
    };
    const std::string npy = f.npy.string();
    const std::vector<Case> cases = {
        {"", "", "", "path", "path names no embeddings file"},
        {(f.dir / "absent.npy").string(), "", "", "path", "absent.npy: cannot open"},
        {f.npz.string(), "", "", "path", "holds 2 arrays (features, names)"},
        {npy, (f.dir / "absent.csv").string(), "", "labels", "absent.csv: cannot open"},
        {npy, (f.dir / "seven.csv").string(), "", "labels",
         "seven.csv has 7 data lines but " + npy + " has 6 embedding rows"},
        {npy, (f.dir / "bad.csv").string(), "", "labels", "bad.csv: line 3, column 2 ('flag'): 'x' is not an integer"},
        {npy, (f.dir / "clash.csv").string(), "", "labels", "column 'x' clashes with the embeddings field 'x'"},
        {npy, (f.dir / "clash_features.csv").string(), "", "labels",
         "column 'features' clashes with the encoder output 'features'"},
    };
    for (const Case& c : cases) {
        INFO(c.key << ": " << c.message);
        ConfigBuilder config = features_config(c.path, c.labels, c.member);
        Instance<FeaturesData> data(config, {}, "data");
        CHECK(data.created().status == IDLAB_STATUS_INVALID_CONFIG);
        CHECK(data.created().key == c.key);
        CHECK_THAT(data.created().message, Catch::StartsWith("core.features: "));
        CHECK_THAT(data.created().message, Catch::Contains(c.message));
    }
}
