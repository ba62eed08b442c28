#include "embedding_matrix.hpp"

#include "data_file_error.hpp"
#include "npz_archive.hpp"

#include <cctype>
#include <cmath>
#include <cstring>
#include <limits>
#include <utility>

namespace idlab::probes {

namespace {

std::string lower_extension(const std::string& path) {
    const size_t dot = path.find_last_of('.');
    const size_t slash = path.find_last_of('/');
    if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return "";
    std::string ext = path.substr(dot);
    for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return ext;
}

[[noreturn]] void fail(const std::string& source, const std::string& problem) {
    throw images::DataFileError(source, problem, kEmbeddingsFormat);
}

std::string position(int64_t i, int64_t dim) {
    return "row " + std::to_string(i / dim) + ", column " + std::to_string(i % dim);
}

}  // namespace

EmbeddingMatrix EmbeddingMatrix::load(const std::string& path, const std::string& member) {
    const std::string ext = lower_extension(path);
    if (ext == ".npy") {
        if (!member.empty())
            fail(path, "member \"" + member + "\" is set, but a .npy file holds a single array");
        return EmbeddingMatrix(images::load_npy(path), path);
    }
    if (ext != ".npz") fail(path, "the file name does not end in .npy or .npz");
    const images::NpzArchive archive(path);
    std::string key = member;
    if (key.empty()) {
        const std::vector<std::string> keys = archive.keys();
        if (keys.size() != 1) {
            std::string list;
            for (const std::string& k : keys) list += (list.empty() ? "" : ", ") + k;
            fail(path, "the archive holds " + std::to_string(keys.size()) + " arrays (" + list +
                           "); set member to the one with the embeddings");
        }
        key = keys.front();
    }
    return EmbeddingMatrix(archive.load(key), path + "[" + key + "]");
}

EmbeddingMatrix::EmbeddingMatrix(images::NpyArray array, const std::string& source)
    : array_(std::move(array)), source_(source) {
    const images::NpyDtype& dtype = array_.dtype();
    const std::vector<int64_t>& shape = array_.shape();
    if (dtype.kind != 'f')
        fail(source_, "the array has dtype '" + dtype.descr + "'; embeddings must be float32 ('<f4') or float64 ('<f8')");
    if (shape.size() != 2 || shape[0] < 1 || shape[1] < 1)
        fail(source_, "the array has shape " + images::shape_to_string(shape) +
                          "; embeddings need two dimensions [n, dim], both at least 1");
    rows_ = shape[0];
    dim_ = shape[1];
    const int64_t count = rows_ * dim_;
    if (dtype.itemsize == 4) {
        f32_bytes_ = array_.bytes();
        for (int64_t i = 0; i < count; ++i) {
            float v;
            std::memcpy(&v, f32_bytes_ + i * 4, 4);  // the data need not be aligned
            if (!std::isfinite(v)) fail(source_, "the value at " + position(i, dim_) + " is not finite");
        }
        return;
    }
    converted_.resize(static_cast<size_t>(count));
    const uint8_t* bytes = array_.bytes();
    for (int64_t i = 0; i < count; ++i) {
        double v;
        std::memcpy(&v, bytes + i * 8, 8);
        if (!std::isfinite(v)) fail(source_, "the value at " + position(i, dim_) + " is not finite");
        if (std::fabs(v) > static_cast<double>(std::numeric_limits<float>::max()))
            fail(source_, "the value at " + position(i, dim_) + " does not fit in float32");
        converted_[static_cast<size_t>(i)] = static_cast<float>(v);
    }
    array_ = images::NpyArray();  // the float64 data is no longer needed
}

void EmbeddingMatrix::copy_row(int64_t i, float* out) const {
    const size_t bytes = static_cast<size_t>(dim_) * sizeof(float);
    if (f32_bytes_) std::memcpy(out, f32_bytes_ + static_cast<size_t>(i) * bytes, bytes);
    else std::memcpy(out, converted_.data() + i * dim_, bytes);
}

}  // namespace idlab::probes
