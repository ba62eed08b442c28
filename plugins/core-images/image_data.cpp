#include "image_data.hpp"

#include <idlab/philox.hpp>

#include <array>
#include <cstdio>

namespace idlab::images {

ImageData::ImageData(std::string id, ImageSet images, uint64_t seed, const EvaluationOptions& evaluation,
                     float pixel_divisor)
    : id_(std::move(id)),
      images_(std::move(images)),
      split_(make_split(images_.count, seed)),
      eval_(make_evaluation_rows(split_, evaluation, seed)),
      pixel_divisor_(pixel_divisor),
      scratch_(static_cast<size_t>(images_.image_bytes())) {
    if (!(pixel_divisor_ > 0.0f)) idlab::config_error("pixel_divisor", "the pixel divisor must be positive");
    for (const std::string& name : images_.factor_names)
        if (name == "x" || name == "label" || name == "z" || name == "index" || name == "split")
            throw idlab::Error(IDLAB_STATUS_INTERNAL, "factor name '" + name + "' clashes with a field name");

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
    const std::string geometry = std::to_string(images_.channels) + " x " + std::to_string(images_.height) +
                                 " x " + std::to_string(images_.width);
    const int64_t target = images_.target_factor;
    const std::string& target_name = images_.factor_names[static_cast<size_t>(target)];
    std::string factor_list;
    for (const std::string& n : images_.factor_names) factor_list += (factor_list.empty() ? "" : ", ") + n;

    char divisor[32];
    std::snprintf(divisor, sizeof divisor, "%g", static_cast<double>(pixel_divisor_));
    fields_.push_back(field("x", IDLAB_DTYPE_F32, x_width(), 0,
                            keep("image " + geometry + ", pixel / " + divisor +
                                 ", channel-major: x[c*H*W + row*W + col]")));
    fields_.push_back(field("label", IDLAB_DTYPE_I64, 0, images_.factor_sizes[static_cast<size_t>(target)],
                            keep("the factor to classify: " + target_name)));
    fields_.push_back(field("z", IDLAB_DTYPE_F32, images_.factor_count(), 0,
                            keep("factor values class / (size - 1) in [0, 1]: " + factor_list)));
    for (int64_t f = 0; f < images_.factor_count(); ++f) {
        const std::string& name = images_.factor_names[static_cast<size_t>(f)];
        fields_.push_back(field(keep(name), IDLAB_DTYPE_I64, 0, images_.factor_sizes[static_cast<size_t>(f)],
                                keep("factor class: " + name)));
    }
    fields_.push_back(field("index", IDLAB_DTYPE_I64, 0, images_.count, "the image's index in the dataset"));
    fields_.push_back(field("split", IDLAB_DTYPE_I64, 0, 3,
                            "the split part of the row: 0 train, 1 val, 2 test (training batches: 0)"));
}

void ImageData::log_split(uint64_t seed) const {
    idlab::log(IDLAB_LOG_INFO, id_,
               "split (seed " + std::to_string(seed) + "): " + std::to_string(split_.train.size()) + " train, " +
                   std::to_string(split_.val.size()) + " val, " + std::to_string(split_.test.size()) +
                   " test; each evaluation reads " + eval_.describe() + " = " + std::to_string(eval_.size()) +
                   " images (train.eval_samples = " + std::to_string(eval_.size()) + " reads them all)");
}

const uint8_t* ImageData::image_pixels(int64_t i, uint8_t*) const { return images_.image(i); }

void ImageData::sample(const idlab_exec_ctx_t& ctx, int64_t batch, const idlab::TensorSet& out) {
    if (batch < 0) idlab::argument_error("batch must be >= 0, got " + std::to_string(batch));
    if (ctx.rng.stream == IDLAB_RNG_STREAM_EVAL) {
        if (batch > eval_.size())
            idlab::argument_error(id_ + ": an evaluation batch of " + std::to_string(batch) +
                                  " rows, but the evaluation reads " + eval_.describe() + " = " +
                                  std::to_string(eval_.size()) +
                                  " distinct images; more would score images twice. Set train.eval_samples to at "
                                  "most " + std::to_string(eval_.size()) +
                                  " (or read more with eval_train_rows / eval_rows_per_split)");
        if (batch < eval_.size() && !warned_short_eval_) {
            warned_short_eval_ = true;
            idlab::log(IDLAB_LOG_INFO, id_,
                       "evaluation batches of " + std::to_string(batch) + " rows read the first " +
                           std::to_string(batch) + " of the " + std::to_string(eval_.size()) +
                           " evaluation images (" + eval_.describe() + ")");
        }
        fill(eval_.image.data(), batch, out, eval_.split.data());
        return;
    }
    const std::vector<int64_t>& train = split_.train;
    if (train.empty() && batch > 0)
        idlab::argument_error("the training split is empty (" + std::to_string(images_.count) + " images)");
    rows_.resize(static_cast<size_t>(batch));
    for (int64_t j = 0; j < batch; ++j) {
        PhiloxStream rng = PhiloxStream::for_sample(ctx.rng, static_cast<uint64_t>(j));
        rows_[static_cast<size_t>(j)] = train[static_cast<size_t>(rng.uniform_index(train.size()))];
    }
    fill(rows_.data(), batch, out);
}

void ImageData::fill(const int64_t* rows, int64_t n, const idlab::TensorSet& out, const int64_t* split_of) const {
    const int64_t factors = images_.factor_count();
    for (int64_t j = 0; j < n; ++j)
        if (rows[j] < 0 || rows[j] >= images_.count)
            idlab::argument_error("image index " + std::to_string(rows[j]) + " is outside [0, " +
                                  std::to_string(images_.count) + ")");

    if (const DLTensor* t = out.find("x")) {
        idlab::require_tensor(*t, "x", IDLAB_DTYPE_F32, n, x_width());
        float* x = idlab::data_of<float>(*t);
        std::array<float, 256> scale{};  // the division, done once per byte value
        for (int v = 0; v < 256; ++v) scale[static_cast<size_t>(v)] = static_cast<float>(v) / pixel_divisor_;
        const int64_t plane = images_.height * images_.width;
        const int64_t channels = images_.channels;
        for (int64_t j = 0; j < n; ++j) {
            const uint8_t* src = image_pixels(rows[j], scratch_.data());  // HWC
            float* dst = x + j * x_width();               // CHW
            for (int64_t p = 0; p < plane; ++p)
                for (int64_t c = 0; c < channels; ++c) dst[c * plane + p] = scale[src[p * channels + c]];
        }
    }
    if (const DLTensor* t = out.find("label")) {
        idlab::require_tensor(*t, "label", IDLAB_DTYPE_I64, n, 0);
        int64_t* label = idlab::data_of<int64_t>(*t);
        for (int64_t j = 0; j < n; ++j) label[j] = images_.factor_class(rows[j], images_.target_factor);
    }
    if (const DLTensor* t = out.find("z")) {
        idlab::require_tensor(*t, "z", IDLAB_DTYPE_F32, n, factors);
        float* z = idlab::data_of<float>(*t);
        for (int64_t j = 0; j < n; ++j)
            for (int64_t f = 0; f < factors; ++f) {
                const int64_t size = images_.factor_sizes[static_cast<size_t>(f)];
                z[j * factors + f] = size > 1 ? static_cast<float>(static_cast<double>(images_.factor_class(rows[j], f)) /
                                                                   static_cast<double>(size - 1))
                                              : 0.0f;
            }
    }
    for (int64_t f = 0; f < factors; ++f) {
        const std::string& name = images_.factor_names[static_cast<size_t>(f)];
        if (const DLTensor* t = out.find(name)) {
            idlab::require_tensor(*t, name.c_str(), IDLAB_DTYPE_I64, n, 0);
            int64_t* v = idlab::data_of<int64_t>(*t);
            for (int64_t j = 0; j < n; ++j) v[j] = images_.factor_class(rows[j], f);
        }
    }
    if (const DLTensor* t = out.find("index")) {
        idlab::require_tensor(*t, "index", IDLAB_DTYPE_I64, n, 0);
        int64_t* index = idlab::data_of<int64_t>(*t);
        for (int64_t j = 0; j < n; ++j) index[j] = rows[j];
    }
    if (const DLTensor* t = out.find("split")) {
        idlab::require_tensor(*t, "split", IDLAB_DTYPE_I64, n, 0);
        int64_t* split = idlab::data_of<int64_t>(*t);
        for (int64_t j = 0; j < n; ++j) split[j] = split_of ? split_of[j] : kTrainSplit;
    }
}

}  // namespace idlab::images
