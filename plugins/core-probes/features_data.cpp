#include "features_data.hpp"

#include "data_file_error.hpp"

#include <idlab/philox.hpp>

#include <algorithm>
#include <numeric>

namespace idlab::probes {

namespace {

EmbeddingMatrix load_embeddings(const idlab::Config& config) {
    const std::string path = config.get_string("path");
    if (path.empty()) idlab::config_error("path", std::string(FeaturesData::kId) + ": path names no embeddings file");
    try {
        return EmbeddingMatrix::load(path, config.get_string("member"));
    } catch (const images::DataFileError& e) {
        idlab::config_error("path", std::string(FeaturesData::kId) + ": " + e.what());
    }
}

LabelTable load_labels(const idlab::Config& config) {
    const std::string path = config.get_string("labels");
    if (path.empty()) return LabelTable{};
    try {
        return read_label_table(path);
    } catch (const images::DataFileError& e) {
        idlab::config_error("labels", std::string(FeaturesData::kId) + ": " + e.what());
    }
}

}  // namespace

idlab::ComponentSpec FeaturesData::spec() {
    idlab::ComponentSpec s;
    s.id = kId;
    s.summary = "a user's embeddings (.npy/.npz) and label table (CSV) as data, for the probes";
    s.doc =
        "Reads embeddings [n, dim] (float32 or float64) from 'path', a .npy file or an .npz archive ('member' "
        "names the array; empty: the only one), and optionally a CSV label table from 'labels' (a header line of "
        "column names, then n lines of integers). Fields: x (f32 [dim], the embeddings) and one i64 field per "
        "CSV column (cardinality max + 1 when no value is negative). Evaluation batches are a random subset of "
        "the rows without repeats (at most n rows); training batches draw rows uniformly with replacement. "
        "label_column names a column that is also served as the field 'label' (the class a training loss "
        "needs). Use it with an encoder that passes x through, or score the baseline evaluation (features = x), "
        "as recipes/imagenetx/ does.";
    s.devices = IDLAB_DEVICE_CPU;
    s.params = {
        idlab::Param::string("path", "", "embeddings: .npy, or .npz with 'member'").make_required(),
        idlab::Param::string("member", "\"\"", "the .npz array holding the embeddings; empty: the archive's only array"),
        idlab::Param::string("labels", "\"\"", "CSV label table, one line per embedding row; empty: no labels"),
        idlab::Param::string("label_column", "\"\"",
                             "a column of the table also served as the field 'label' (e.g. \"class\"); empty: none"),
    };
    return s;
}

FeaturesData::FeaturesData(const idlab::CreateContext&, const idlab::Config& config)
    : embeddings_(load_embeddings(config)), labels_(load_labels(config)) {
    const std::string labels_path = config.get_string("labels");
    if (!labels_path.empty() && labels_.rows != embeddings_.rows())
        idlab::config_error("labels", std::string(kId) + ": " + labels_path + " has " + std::to_string(labels_.rows) +
                                          " data lines but " + embeddings_.source() + " has " +
                                          std::to_string(embeddings_.rows()) +
                                          " embedding rows (expected one label line per embedding row, in order)");

    auto keep = [&](std::string s) { return strings_.emplace_back(std::move(s)).c_str(); };
    auto field = [](const char* name, idlab_dtype_t dtype, int64_t width, int64_t cardinality, const char* doc) {
        idlab_field_desc_t f{};
        f.struct_size = sizeof(idlab_field_desc_t);
        f.name = name;
        f.dtype = dtype;
        f.width = width;
        f.cardinality = cardinality;
        f.doc = doc;
        return f;
    };
    fields_.push_back(field("x", IDLAB_DTYPE_F32, embeddings_.dim(), 0, keep("embeddings from " + embeddings_.source())));
    for (const LabelColumn& c : labels_.columns) {
        if (c.name == "x" || c.name == "features")
            idlab::config_error("labels", std::string(kId) + ": " + labels_path + ": column '" + c.name +
                                              "' clashes with " +
                                              (c.name == "x" ? "the embeddings field 'x'" : "the encoder output 'features'") +
                                              "; rename it");
        const int64_t cardinality = c.min >= 0 ? c.max + 1 : 0;
        fields_.push_back(field(keep(c.name), IDLAB_DTYPE_I64, 0, cardinality,
                                keep("column '" + c.name + "' of " + labels_path)));
    }
    const std::string label_column = config.get_string("label_column");
    if (!label_column.empty()) {
        for (size_t i = 0; i < labels_.columns.size(); ++i) {
            const LabelColumn& c = labels_.columns[i];
            if (c.name == "label")
                idlab::config_error("label_column", std::string(kId) + ": " + labels_path +
                                                        " has a column 'label' already; leave label_column empty");
            if (c.name == label_column) label_column_ = static_cast<int64_t>(i);
        }
        if (label_column_ < 0) {
            std::string names;
            for (const LabelColumn& c : labels_.columns) names += (names.empty() ? "" : ", ") + c.name;
            idlab::config_error("label_column", std::string(kId) + ": the label table has no column '" + label_column +
                                                    "' (it has: " + (names.empty() ? "no table" : names) + ")");
        }
        const LabelColumn& c = labels_.columns[static_cast<size_t>(label_column_)];
        fields_.push_back(field("label", IDLAB_DTYPE_I64, 0, c.min >= 0 ? c.max + 1 : 0,
                                keep("column '" + c.name + "' of " + labels_path + ", as the class to train on")));
    }
    idlab::log(IDLAB_LOG_INFO, kId,
               "read " + std::to_string(embeddings_.rows()) + " x " + std::to_string(embeddings_.dim()) +
                   " embeddings from " + embeddings_.source() +
                   (labels_path.empty() ? std::string()
                                        : " and " + std::to_string(labels_.columns.size()) + " label columns from " +
                                              labels_path));
}

void FeaturesData::sample(const idlab_exec_ctx_t& ctx, int64_t batch, const idlab::TensorSet& out) {
    if (batch < 0) idlab::argument_error("batch must be >= 0, got " + std::to_string(batch));
    const int64_t n = rows();
    rows_.resize(static_cast<size_t>(batch));
    if (ctx.rng.stream == IDLAB_RNG_STREAM_EVAL) {
        if (batch > n)
            idlab::argument_error(std::string(kId) + ": an evaluation batch of " + std::to_string(batch) +
                                  " samples exceeds the " + std::to_string(n) + " rows of " + embeddings_.source() +
                                  "; set train.eval_samples to at most " + std::to_string(n) +
                                  " so that no row is scored twice");
        keys_.resize(static_cast<size_t>(n));
        for (int64_t i = 0; i < n; ++i)
            keys_[i] = PhiloxStream::for_sample(ctx.rng, static_cast<uint64_t>(i)).next_u64();
        std::vector<int64_t> order(static_cast<size_t>(n));
        std::iota(order.begin(), order.end(), int64_t{0});
        std::partial_sort(order.begin(), order.begin() + batch, order.end(), [&](int64_t a, int64_t b) {
            return keys_[a] != keys_[b] ? keys_[a] < keys_[b] : a < b;
        });
        std::copy(order.begin(), order.begin() + batch, rows_.begin());
    } else {
        for (int64_t j = 0; j < batch; ++j)
            rows_[j] = static_cast<int64_t>(
                PhiloxStream::for_sample(ctx.rng, static_cast<uint64_t>(j)).uniform_index(static_cast<uint64_t>(n)));
    }
    fill(rows_.data(), batch, out);
}

void FeaturesData::fill(const int64_t* rows, int64_t n, const idlab::TensorSet& out) const {
    for (int64_t j = 0; j < n; ++j)
        if (rows[j] < 0 || rows[j] >= this->rows())
            idlab::argument_error("row " + std::to_string(rows[j]) + " is outside [0, " + std::to_string(this->rows()) + ")");
    if (const DLTensor* t = out.find("x")) {
        idlab::require_tensor(*t, "x", IDLAB_DTYPE_F32, n, embeddings_.dim());
        float* x = idlab::data_of<float>(*t);
        for (int64_t j = 0; j < n; ++j) embeddings_.copy_row(rows[j], x + j * embeddings_.dim());
    }
    auto write_column = [&](const LabelColumn& c, const char* name) {
        if (const DLTensor* t = out.find(name)) {
            idlab::require_tensor(*t, name, IDLAB_DTYPE_I64, n, 0);
            int64_t* v = idlab::data_of<int64_t>(*t);
            for (int64_t j = 0; j < n; ++j) v[j] = c.values[static_cast<size_t>(rows[j])];
        }
    };
    for (const LabelColumn& c : labels_.columns) write_column(c, c.name.c_str());
    if (label_column_ >= 0) write_column(labels_.columns[static_cast<size_t>(label_column_)], "label");
}

}  // namespace idlab::probes
