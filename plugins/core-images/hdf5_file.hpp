// A read-only HDF5 file through libhdf5's C API, enough for Shapes3D's 3dshapes.h5: datasets of
// any rank, unsigned-byte or floating-point, read whole or in slabs of rows (the first index).
// libhdf5 handles the chunking and the gzip (deflate) filter. Every failure becomes a
// DataFileError naming the file and the innermost message of libhdf5's error stack, which is
// not printed to stderr.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace idlab::images {

inline constexpr const char* kHdf5Format = "an HDF5 file (read through libhdf5)";

class Hdf5File;

class Hdf5Dataset {
public:
    enum class Kind { UnsignedInteger, SignedInteger, Float, Other };

    ~Hdf5Dataset();
    Hdf5Dataset(Hdf5Dataset&& other) noexcept;
    Hdf5Dataset(const Hdf5Dataset&) = delete;
    Hdf5Dataset& operator=(const Hdf5Dataset&) = delete;
    Hdf5Dataset& operator=(Hdf5Dataset&&) = delete;

    const std::string& name() const { return name_; }
    const std::vector<int64_t>& dims() const { return dims_; }
    Kind kind() const { return kind_; }
    int64_t element_size() const { return element_size_; }
    // Elements per row (the product of every dimension but the first).
    int64_t row_elements() const;
    // The first dimension of a chunk (1 for a contiguous dataset).
    int64_t chunk_rows() const { return chunk_rows_; }
    // Where the raw bytes of a contiguous, unfiltered dataset lie in the file; -1 otherwise.
    int64_t contiguous_offset() const { return contiguous_offset_; }
    // "uint8 (480000, 64, 64, 3), chunked by 1000 rows, deflate".
    std::string describe() const;

    // Rows [first, first + count) converted to uint8 / double.
    void read_rows(int64_t first, int64_t count, uint8_t* out) const;
    void read_rows(int64_t first, int64_t count, double* out) const;

private:
    friend class Hdf5File;
    Hdf5Dataset(const Hdf5File& file, const std::string& name);
    void read(int64_t first, int64_t count, int64_t memory_type, void* out) const;

    std::string file_path_, name_;
    int64_t id_ = -1;
    std::vector<int64_t> dims_;
    Kind kind_ = Kind::Other;
    int64_t element_size_ = 0;
    int64_t chunk_rows_ = 1;
    int64_t contiguous_offset_ = -1;
    bool deflate_ = false;
};

class Hdf5File {
public:
    // Opens `path` read-only; throws DataFileError when it is missing or not HDF5.
    explicit Hdf5File(const std::string& path);
    ~Hdf5File();
    Hdf5File(const Hdf5File&) = delete;
    Hdf5File& operator=(const Hdf5File&) = delete;

    const std::string& path() const { return path_; }
    bool contains(const std::string& name) const;
    // The dataset `name`; throws DataFileError when there is none.
    Hdf5Dataset dataset(const std::string& name) const;

private:
    friend class Hdf5Dataset;
    std::string path_;
    int64_t id_ = -1;
};

}  // namespace idlab::images
