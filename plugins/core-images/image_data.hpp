// The part every image-dataset data component shares: the fields, the seeded 80/10/10 split
// and mini-batch sampling from the images held in memory or memory-mapped (each batch gathers
// only its own rows; the set is never copied).
//
// Fields, for a dataset with factors f_1..f_F and images of C x H x W:
//   x       f32 [C*H*W]  pixel / divisor (255 by default: [0, 1] for 8-bit images),
//                        channel-major (CHW, as PyTorch's NCHW flattened):
//                        x[c*H*W + row*W + col] is channel c of pixel (row, col)
//   label   i64          the class of the target factor (cardinality: its size)
//   z       f32 [F]      factor values class / (size - 1) in [0, 1], as the DisLib loaders
//                        give them (0 for a factor of one value)
//   <f_k>   i64          the class of each factor, by its name (cardinality: its size)
//   index   i64          the image's index in the dataset
//   split   i64          the part of the split the row comes from: 0 train, 1 val, 2 test
//
// Sampling, following the per-sample Philox convention of <idlab/philox.hpp>:
//   - the evaluation stream (IDLAB_RNG_STREAM_EVAL) reads the fixed evaluation sequence of
//     evaluation_rows.hpp (training rows, then the held-out split(s)) from its start: row j is
//     its j-th image, the same at every evaluation. A batch longer than the sequence is an
//     error (it would score images twice, on both sides of a probe's fit/score split);
//   - any other stream draws each row uniformly from the training split, independently
//     (with replacement), from PhiloxStream::for_sample(ctx.rng, j).
#pragma once

#include "dataset_split.hpp"
#include "evaluation_rows.hpp"
#include "image_set.hpp"

#include <idlab/plugin.hpp>

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

namespace idlab::images {

class ImageData : public idlab::Data {
public:
    const std::vector<idlab_field_desc_t>& fields() const override { return fields_; }
    void sample(const idlab_exec_ctx_t& ctx, int64_t batch, const idlab::TensorSet& out) override;

    // Writes every field present in `out` for images rows[0..n) (row j of each tensor is image
    // rows[j]), whose `split` values are split_of[0..n) (null: all training rows); tensors not
    // among the fields are left alone.
    void fill(const int64_t* rows, int64_t n, const idlab::TensorSet& out, const int64_t* split_of = nullptr) const;

    const ImageSet& images() const { return images_; }
    const DatasetSplit& split() const { return split_; }
    // What the evaluation stream reads, in order.
    const EvaluationRows& eval_rows() const { return eval_; }
    int64_t x_width() const { return images_.channels * images_.height * images_.width; }

protected:
    // The split and the evaluation sequence are drawn from `seed`. `images.pixels` may be null
    // when a subclass makes each image in image_pixels(). `id` names the component in logs.
    ImageData(std::string id, ImageSet images, uint64_t seed, const EvaluationOptions& evaluation,
              float pixel_divisor = 255.0f);
    // Logs the split and the evaluation sequence (subclasses call it once they are built).
    void log_split(uint64_t seed) const;

    // The HWC pixels of image i: by default those held in images(); a generator renders them
    // into `scratch` (room for one image) and returns it.
    virtual const uint8_t* image_pixels(int64_t i, uint8_t* scratch) const;

private:
    std::string id_;
    ImageSet images_;
    DatasetSplit split_;
    EvaluationRows eval_;
    float pixel_divisor_;
    bool warned_short_eval_ = false;
    std::vector<idlab_field_desc_t> fields_;
    std::deque<std::string> strings_;  // names and docs the field descriptors point to
    std::vector<int64_t> rows_;        // sample()'s row indices, kept between batches
    mutable std::vector<uint8_t> scratch_;  // one image, for subclasses that render them
};

}  // namespace idlab::images
