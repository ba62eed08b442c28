// A user's embeddings: a float32 or float64 matrix [n, dim] in a NumPy .npy file or in one
// member of an .npz archive (read with core-images' readers). float32 data of a .npy file or a
// stored member stays in the memory-mapped file and rows are copied out on demand; float64 data
// is converted to float32 once. Every value must be finite (and fit in float32).
#pragma once

#include "npy_array.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace idlab::probes {

inline constexpr const char* kEmbeddingsFormat =
    "a float32 or float64 matrix [n, dim] in a NumPy .npy file, or in a member of an .npz archive";

class EmbeddingMatrix {
public:
    // Reads `path`, chosen by its extension: .npy, or .npz with array `member` ("" picks the
    // archive's only array). Throws images::DataFileError naming the file, the problem and the
    // format expected.
    static EmbeddingMatrix load(const std::string& path, const std::string& member);

    int64_t rows() const { return rows_; }
    int64_t dim() const { return dim_; }
    // Where the data came from: "file.npy" or "archive.npz[member]".
    const std::string& source() const { return source_; }
    // Writes row i (dim floats) to out.
    void copy_row(int64_t i, float* out) const;

private:
    EmbeddingMatrix(images::NpyArray array, const std::string& source);

    images::NpyArray array_;        // keeps mapped float32 data alive
    const uint8_t* f32_bytes_ = nullptr;  // rows read in place, or
    std::vector<float> converted_;  // float64 data converted once
    int64_t rows_ = 0;
    int64_t dim_ = 0;
    std::string source_;
};

}  // namespace idlab::probes
