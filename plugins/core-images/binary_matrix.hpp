// NYU's "binary matrix" files, the format of the small NORB dataset (LeCun, Huang and Bottou
// 2004; ../shared/reference/datasets.md §5): despite the .mat suffix, not MATLAB.
//
// Layout, little endian: int32 magic (0x1E3D4C51 single, 0x1E3D4C52 packed, 0x1E3D4C53 double,
// 0x1E3D4C54 int32, 0x1E3D4C55 uint8, 0x1E3D4C56 int16), int32 ndim, then max(3, ndim) int32
// dimensions (slots beyond ndim are padding), then the data in C order. The file is mapped;
// the data are a view into it.
#pragma once

#include "mapped_file.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace idlab::images {

inline constexpr const char* kBinaryMatrixFormat =
    "an NYU binary matrix file (int32 magic 0x1E3D4C5x, int32 rank, max(3, rank) int32 dimensions, "
    "then the data, little endian; small NORB's *-dat.mat, *-cat.mat and *-info.mat)";

enum class BinaryMatrixType { Single, Packed, Double, Int32, Uint8, Int16 };

class BinaryMatrix {
public:
    // Maps and checks `path`: a known magic, a sane rank, and exactly as many data bytes as the
    // dimensions say. Throws DataFileError otherwise (a gzipped file is named as such).
    static BinaryMatrix open(const std::string& path);

    const std::string& path() const { return path_; }
    BinaryMatrixType type() const { return type_; }
    const std::vector<int64_t>& dims() const { return dims_; }
    int64_t element_count() const;
    const uint8_t* data() const { return data_; }
    const std::shared_ptr<const MappedFile>& file() const { return file_; }

    // Throws DataFileError unless the type is `type` and the dimensions match (-1: any).
    void require(BinaryMatrixType type, const std::vector<int64_t>& dims) const;
    // The int32 elements (type Int32 only).
    std::vector<int32_t> int32_values() const;

private:
    std::string path_;
    std::shared_ptr<const MappedFile> file_;
    BinaryMatrixType type_ = BinaryMatrixType::Uint8;
    std::vector<int64_t> dims_;
    const uint8_t* data_ = nullptr;
};

const char* binary_matrix_type_name(BinaryMatrixType type);

}  // namespace idlab::images
