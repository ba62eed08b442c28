// core.features: a data process over a user's own embeddings and labels, so that the probes
// can score features computed elsewhere (ImageNet-X: ResNet-50 or ViT-B/16 penultimate-layer
// features with the ImageNet-X annotations as a CSV table).
//
// Fields:
//   x        f32 [dim]  the embeddings (embedding_matrix.hpp), row i of the file
//   <column> i64        one per column of the label table (label_table.hpp), row i of the table;
//                       cardinality max + 1 when every value is >= 0, else 0 (not categorical)
//   label    i64        with label_column set: that column again, as the class a loss trains on
//
// Sampling, following the per-sample Philox convention of <idlab/philox.hpp>:
//   - the evaluation stream (IDLAB_RNG_STREAM_EVAL) gives each file row i the key
//     PhiloxStream::for_sample(ctx.rng, i).next_u64() and returns the first `batch` rows in
//     key order: a random subset without repeats (a row scored twice would sit on both sides of
//     a probe's train/test split), so the batch may not exceed the row count;
//   - any other stream draws row j of the batch uniformly from all rows, independently (with
//     replacement), from PhiloxStream::for_sample(ctx.rng, j).
#pragma once

#include "embedding_matrix.hpp"
#include "label_table.hpp"

#include <idlab/plugin.hpp>

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

namespace idlab::probes {

class FeaturesData final : public idlab::Data {
public:
    static constexpr const char* kId = "core.features";
    static idlab::ComponentSpec spec();

    FeaturesData(const idlab::CreateContext& ctx, const idlab::Config& config);

    const std::vector<idlab_field_desc_t>& fields() const override { return fields_; }
    void sample(const idlab_exec_ctx_t& ctx, int64_t batch, const idlab::TensorSet& out) override;

    int64_t rows() const { return embeddings_.rows(); }

    // Writes every field present in `out` for file rows rows[0..n).
    void fill(const int64_t* rows, int64_t n, const idlab::TensorSet& out) const;

private:
    EmbeddingMatrix embeddings_;
    LabelTable labels_;
    std::vector<idlab_field_desc_t> fields_;
    std::deque<std::string> strings_;  // names and docs the field descriptors point to
    std::vector<int64_t> rows_;        // sample()'s row indices, kept between batches
    std::vector<uint64_t> keys_;       // evaluation order keys, kept between batches
    int64_t label_column_ = -1;        // the column served as "label"; -1: none
};

}  // namespace idlab::probes
