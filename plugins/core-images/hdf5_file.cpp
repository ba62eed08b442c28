#include "hdf5_file.hpp"

#include "data_file_error.hpp"
#include "npy_array.hpp"

#include <hdf5.h>

#include <cstdio>
#include <sys/stat.h>

namespace idlab::images {

namespace {

// Silences libhdf5's automatic error printing for one scope.
class QuietErrors {
public:
    QuietErrors() {
        H5Eget_auto2(H5E_DEFAULT, &func_, &data_);
        H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    }
    ~QuietErrors() { H5Eset_auto2(H5E_DEFAULT, func_, data_); }

private:
    H5E_auto2_t func_ = nullptr;
    void* data_ = nullptr;
};

// The innermost (most specific) message on libhdf5's error stack, then clears it.
std::string hdf5_error() {
    std::string message;
    H5Ewalk2(
        H5E_DEFAULT, H5E_WALK_DOWNWARD,
        [](unsigned, const H5E_error2_t* e, void* out) -> herr_t {
            if (e && e->desc && *e->desc) *static_cast<std::string*>(out) = e->desc;
            return 0;
        },
        &message);
    H5Eclear2(H5E_DEFAULT);
    return message.empty() ? std::string("libhdf5 reported an error") : "libhdf5: " + message;
}

}  // namespace

// ------------------------------------------------------------------ file

Hdf5File::Hdf5File(const std::string& path) : path_(path) {
    QuietErrors quiet;
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) throw DataFileError(path, "does not exist", kHdf5Format);
    if (S_ISDIR(st.st_mode)) throw DataFileError(path, "is a directory, not a file", kHdf5Format);
    if (H5Fis_hdf5(path.c_str()) <= 0) {
        H5Eclear2(H5E_DEFAULT);
        throw DataFileError(path, "is not an HDF5 file (no HDF5 signature)", kHdf5Format);
    }
    const hid_t id = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    if (id < 0) throw DataFileError(path, "cannot open (" + hdf5_error() + "; truncated file?)", kHdf5Format);
    id_ = id;
}

Hdf5File::~Hdf5File() {
    if (id_ >= 0) H5Fclose(static_cast<hid_t>(id_));
}

bool Hdf5File::contains(const std::string& name) const {
    QuietErrors quiet;
    const htri_t exists = H5Lexists(static_cast<hid_t>(id_), name.c_str(), H5P_DEFAULT);
    H5Eclear2(H5E_DEFAULT);
    return exists > 0;
}

Hdf5Dataset Hdf5File::dataset(const std::string& name) const { return Hdf5Dataset(*this, name); }

// ------------------------------------------------------------------ dataset

Hdf5Dataset::Hdf5Dataset(const Hdf5File& file, const std::string& name) : file_path_(file.path()), name_(name) {
    QuietErrors quiet;
    const std::string source = file_path_ + "[" + name + "]";
    if (!file.contains(name)) throw DataFileError(file_path_, "has no dataset '" + name + "'", kHdf5Format);
    const hid_t id = H5Dopen2(static_cast<hid_t>(file.id_), name.c_str(), H5P_DEFAULT);
    if (id < 0) throw DataFileError(source, "cannot open the dataset (" + hdf5_error() + ")", kHdf5Format);
    id_ = id;

    const hid_t space = H5Dget_space(id);
    const int rank = H5Sget_simple_extent_ndims(space);
    if (rank < 1) {
        H5Sclose(space);
        throw DataFileError(source, "is a scalar or null dataset, not an array", kHdf5Format);
    }
    std::vector<hsize_t> dims(static_cast<size_t>(rank));
    H5Sget_simple_extent_dims(space, dims.data(), nullptr);
    H5Sclose(space);
    for (hsize_t d : dims) dims_.push_back(static_cast<int64_t>(d));

    const hid_t type = H5Dget_type(id);
    const H5T_class_t cls = H5Tget_class(type);
    element_size_ = static_cast<int64_t>(H5Tget_size(type));
    if (cls == H5T_INTEGER) kind_ = H5Tget_sign(type) == H5T_SGN_NONE ? Kind::UnsignedInteger : Kind::SignedInteger;
    else if (cls == H5T_FLOAT) kind_ = Kind::Float;
    H5Tclose(type);

    const hid_t dcpl = H5Dget_create_plist(id);
    const H5D_layout_t layout = H5Pget_layout(dcpl);
    const int filters = H5Pget_nfilters(dcpl);
    for (int f = 0; f < filters; ++f) {
        unsigned flags = 0;
        size_t n = 0;
        if (H5Pget_filter2(dcpl, static_cast<unsigned>(f), &flags, &n, nullptr, 0, nullptr, nullptr) == H5Z_FILTER_DEFLATE)
            deflate_ = true;
    }
    if (layout == H5D_CHUNKED) {
        std::vector<hsize_t> chunk(static_cast<size_t>(rank));
        if (H5Pget_chunk(dcpl, rank, chunk.data()) == rank) chunk_rows_ = static_cast<int64_t>(chunk[0]);
    } else if (layout == H5D_CONTIGUOUS && filters == 0) {
        const haddr_t offset = H5Dget_offset(id);
        if (offset != HADDR_UNDEF) contiguous_offset_ = static_cast<int64_t>(offset);
    }
    H5Pclose(dcpl);
    H5Eclear2(H5E_DEFAULT);
}

Hdf5Dataset::Hdf5Dataset(Hdf5Dataset&& o) noexcept
    : file_path_(std::move(o.file_path_)),
      name_(std::move(o.name_)),
      id_(o.id_),
      dims_(std::move(o.dims_)),
      kind_(o.kind_),
      element_size_(o.element_size_),
      chunk_rows_(o.chunk_rows_),
      contiguous_offset_(o.contiguous_offset_),
      deflate_(o.deflate_) {
    o.id_ = -1;
}

Hdf5Dataset::~Hdf5Dataset() {
    if (id_ >= 0) H5Dclose(static_cast<hid_t>(id_));
}

int64_t Hdf5Dataset::row_elements() const {
    int64_t n = 1;
    for (size_t i = 1; i < dims_.size(); ++i) n *= dims_[i];
    return n;
}

std::string Hdf5Dataset::describe() const {
    const char* kind = kind_ == Kind::UnsignedInteger ? "uint" : kind_ == Kind::SignedInteger ? "int"
                       : kind_ == Kind::Float          ? "float"
                                                       : "non-numeric ";
    std::string s = std::string(kind) + std::to_string(element_size_ * 8) + " " + shape_to_string(dims_);
    if (contiguous_offset_ >= 0) s += ", contiguous";
    else s += ", chunked by " + std::to_string(chunk_rows_) + " rows";
    if (deflate_) s += ", deflate";
    return s;
}

void Hdf5Dataset::read(int64_t first, int64_t count, int64_t memory_type, void* out) const {
    QuietErrors quiet;
    const std::string source = file_path_ + "[" + name_ + "]";
    if (first < 0 || count < 0 || first + count > dims_[0])
        throw DataFileError(source, "rows [" + std::to_string(first) + ", " + std::to_string(first + count) +
                                        ") lie outside the " + std::to_string(dims_[0]) + " rows",
                            kHdf5Format);
    if (count == 0) return;
    const int rank = static_cast<int>(dims_.size());
    std::vector<hsize_t> start(static_cast<size_t>(rank), 0), extent(dims_.begin(), dims_.end());
    start[0] = static_cast<hsize_t>(first);
    extent[0] = static_cast<hsize_t>(count);
    const hid_t file_space = H5Dget_space(static_cast<hid_t>(id_));
    H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start.data(), nullptr, extent.data(), nullptr);
    const hid_t memory_space = H5Screate_simple(rank, extent.data(), nullptr);
    const herr_t rc = H5Dread(static_cast<hid_t>(id_), static_cast<hid_t>(memory_type), memory_space, file_space,
                              H5P_DEFAULT, out);
    H5Sclose(memory_space);
    H5Sclose(file_space);
    if (rc < 0)
        throw DataFileError(source, "cannot read rows [" + std::to_string(first) + ", " +
                                        std::to_string(first + count) + ") (" + hdf5_error() +
                                        "; truncated or corrupt file?)",
                            kHdf5Format);
}

void Hdf5Dataset::read_rows(int64_t first, int64_t count, uint8_t* out) const {
    read(first, count, static_cast<int64_t>(H5T_NATIVE_UCHAR), out);
}

void Hdf5Dataset::read_rows(int64_t first, int64_t count, double* out) const {
    read(first, count, static_cast<int64_t>(H5T_NATIVE_DOUBLE), out);
}

}  // namespace idlab::images
