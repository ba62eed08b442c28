// A NumPy array read from a .npy file or an .npz member: dtype, shape and a view of the raw
// C-order data. The view points into a memory-mapped file (plain .npy files, stored .npz
// members) or into a buffer inflated once (deflated members); `owner` keeps either alive.
//
// Format (numpy's NEP 1): the magic "\x93NUMPY", a major and a minor version byte, the
// header length (uint16 in 1.0, uint32 in 2.0 and 3.0), then an ASCII Python dict literal
// such as {'descr': '<f8', 'fortran_order': False, 'shape': (17568, 3), } padded with spaces
// and a final '\n', then the data.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace idlab::images {

// The element type of an array: 'b' (bool), 'i' (signed), 'u' (unsigned) or 'f' (float),
// with its size in bytes; always little endian (or single-byte) once accepted.
struct NpyDtype {
    char kind = 'u';
    int itemsize = 1;
    std::string descr;  // as written in the header, e.g. "|u1" or "<i8"
};

class NpyArray {
public:
    NpyArray() = default;

    // Parses a whole .npy image of `size` bytes at `data`. `source` names the file (or
    // "archive.npz[member.npy]") in errors; `owner` keeps `data` alive.
    static NpyArray parse(const uint8_t* data, size_t size, std::shared_ptr<const void> owner,
                          const std::string& source);

    const NpyDtype& dtype() const { return dtype_; }
    const std::vector<int64_t>& shape() const { return shape_; }
    int64_t element_count() const { return element_count_; }
    // The raw little-endian data, C order; not necessarily aligned to the item size.
    const uint8_t* bytes() const { return data_; }
    size_t byte_count() const { return static_cast<size_t>(element_count_) * dtype_.itemsize; }
    const std::string& source() const { return source_; }

    // Throws DataFileError unless the dtype is `descr` (e.g. "|u1"; "<" and "|" are
    // interchangeable for one-byte types) and, when `shape` is given, the shape matches it
    // (-1 matches any extent).
    void require(const std::string& descr, const std::vector<int64_t>& shape = {}) const;

    // Every element converted to T (bool, integer and float dtypes), in C order.
    template <class T>
    std::vector<T> to_vector() const;

private:
    NpyDtype dtype_;
    std::vector<int64_t> shape_;
    int64_t element_count_ = 0;
    const uint8_t* data_ = nullptr;
    std::shared_ptr<const void> owner_;
    std::string source_;
};

// Maps `path` and parses it as a .npy file; the array keeps the mapping alive.
NpyArray load_npy(const std::string& path);

// "(17568, 64, 64, 3)", as numpy prints shapes.
std::string shape_to_string(const std::vector<int64_t>& shape);

}  // namespace idlab::images
