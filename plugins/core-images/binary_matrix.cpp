#include "binary_matrix.hpp"

#include "data_file_error.hpp"
#include "little_endian.hpp"
#include "npy_array.hpp"

#include <cstdio>
#include <cstring>

namespace idlab::images {

namespace {

struct TypeInfo {
    uint32_t magic;
    BinaryMatrixType type;
    int64_t size;  // bytes per element (packed: see below)
};

constexpr TypeInfo kTypes[] = {
    {0x1E3D4C51, BinaryMatrixType::Single, 4}, {0x1E3D4C52, BinaryMatrixType::Packed, 4},
    {0x1E3D4C53, BinaryMatrixType::Double, 8}, {0x1E3D4C54, BinaryMatrixType::Int32, 4},
    {0x1E3D4C55, BinaryMatrixType::Uint8, 1},  {0x1E3D4C56, BinaryMatrixType::Int16, 2},
};

int64_t element_size(BinaryMatrixType type) {
    for (const TypeInfo& t : kTypes)
        if (t.type == type) return t.size;
    return 1;
}

}  // namespace

const char* binary_matrix_type_name(BinaryMatrixType type) {
    switch (type) {
        case BinaryMatrixType::Single: return "single";
        case BinaryMatrixType::Packed: return "packed";
        case BinaryMatrixType::Double: return "double";
        case BinaryMatrixType::Int32: return "int32";
        case BinaryMatrixType::Uint8: return "uint8";
        case BinaryMatrixType::Int16: return "int16";
    }
    return "?";
}

BinaryMatrix BinaryMatrix::open(const std::string& path) {
    BinaryMatrix m;
    m.path_ = path;
    m.file_ = MappedFile::open(path, kBinaryMatrixFormat);
    const uint8_t* p = m.file_->data();
    const size_t size = m.file_->size();
    if (size >= 2 && p[0] == 0x1f && p[1] == 0x8b)
        throw DataFileError(path, "is gzip-compressed; unpack it first (gunzip)", kBinaryMatrixFormat);
    if (size < 8) throw DataFileError(path, "too short for a header (" + std::to_string(size) + " bytes)", kBinaryMatrixFormat);
    const uint32_t magic = read_u32le(p);
    bool known = false;
    for (const TypeInfo& t : kTypes)
        if (t.magic == magic) m.type_ = t.type, known = true;
    if (!known) {
        char hex[16];
        std::snprintf(hex, sizeof hex, "0x%08X", magic);
        throw DataFileError(path, std::string("unknown magic number ") + hex, kBinaryMatrixFormat);
    }
    if (m.type_ == BinaryMatrixType::Packed)
        throw DataFileError(path, "packed matrices are not supported", kBinaryMatrixFormat);
    const int32_t rank = static_cast<int32_t>(read_u32le(p + 4));
    if (rank < 1 || rank > 16) throw DataFileError(path, "bad rank " + std::to_string(rank), kBinaryMatrixFormat);
    const int64_t slots = rank < 3 ? 3 : rank;
    const int64_t header = 8 + 4 * slots;
    if (static_cast<int64_t>(size) < header)
        throw DataFileError(path, "truncated header (" + std::to_string(size) + " bytes)", kBinaryMatrixFormat);
    int64_t count = 1;
    for (int32_t d = 0; d < rank; ++d) {
        const int32_t extent = static_cast<int32_t>(read_u32le(p + 8 + 4 * d));
        if (extent < 0) throw DataFileError(path, "negative dimension " + std::to_string(extent), kBinaryMatrixFormat);
        m.dims_.push_back(extent);
        count *= extent;
    }
    const int64_t expected = header + count * element_size(m.type_);
    if (static_cast<int64_t>(size) != expected)
        throw DataFileError(path,
                            std::string(static_cast<int64_t>(size) < expected ? "truncated: " : "too long: ") +
                                std::to_string(size) + " bytes, but a " + binary_matrix_type_name(m.type_) +
                                " matrix " + shape_to_string(m.dims_) + " takes " + std::to_string(expected),
                            kBinaryMatrixFormat);
    m.data_ = p + header;
    return m;
}

int64_t BinaryMatrix::element_count() const {
    int64_t n = 1;
    for (int64_t d : dims_) n *= d;
    return n;
}

void BinaryMatrix::require(BinaryMatrixType type, const std::vector<int64_t>& dims) const {
    bool match = type == type_ && dims.size() == dims_.size();
    for (size_t i = 0; match && i < dims.size(); ++i) match = dims[i] < 0 || dims[i] == dims_[i];
    if (!match) {
        std::vector<int64_t> shown = dims;
        throw DataFileError(path_,
                            std::string("holds a ") + binary_matrix_type_name(type_) + " matrix " +
                                shape_to_string(dims_) + ", expected " + binary_matrix_type_name(type) + " " +
                                shape_to_string(shown) + " (-1: any extent)",
                            kBinaryMatrixFormat);
    }
}

std::vector<int32_t> BinaryMatrix::int32_values() const {
    std::vector<int32_t> out(static_cast<size_t>(element_count()));
    for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<int32_t>(read_u32le(data_ + 4 * i));
    return out;
}

}  // namespace idlab::images
