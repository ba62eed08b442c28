// Test helper: writes small HDF5 files with libhdf5, laid out as Shapes3D's 3dshapes.h5 is
// (datasets `images` uint8 [N, 64, 64, 3] and `labels` float64 [N, 6]), chunked and
// gzip-compressed, or contiguous.
#pragma once

#include <hdf5.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace idlab::test {

struct Hdf5DatasetSpec {
    std::string name;
    std::vector<hsize_t> dims;
    hid_t type;               // H5T_NATIVE_UCHAR, H5T_NATIVE_DOUBLE, ...
    const void* data;
    hsize_t chunk_rows = 0;   // 0: contiguous
    int deflate_level = 4;    // with chunks
};

inline void write_hdf5(const std::string& path, const std::vector<Hdf5DatasetSpec>& datasets) {
    const hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (file < 0) throw std::runtime_error("cannot create " + path);
    for (const Hdf5DatasetSpec& d : datasets) {
        const hid_t space = H5Screate_simple(static_cast<int>(d.dims.size()), d.dims.data(), nullptr);
        const hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
        if (d.chunk_rows > 0) {
            std::vector<hsize_t> chunk = d.dims;
            chunk[0] = d.chunk_rows;
            H5Pset_chunk(dcpl, static_cast<int>(chunk.size()), chunk.data());
            H5Pset_deflate(dcpl, static_cast<unsigned>(d.deflate_level));
        }
        const hid_t set = H5Dcreate2(file, d.name.c_str(), d.type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
        if (set < 0 || H5Dwrite(set, d.type, H5S_ALL, H5S_ALL, H5P_DEFAULT, d.data) < 0)
            throw std::runtime_error("cannot write dataset " + d.name);
        H5Dclose(set);
        H5Pclose(dcpl);
        H5Sclose(space);
    }
    H5Fclose(file);
}

}  // namespace idlab::test
