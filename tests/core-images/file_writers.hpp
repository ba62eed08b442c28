// Test helpers that write the file formats the readers take, from the format descriptions
// alone (../shared/reference/datasets.md §1.5, §5 and §6), independently of the reader code:
// .npy images, ZIP archives with stored or deflated members (as numpy's savez and
// savez_compressed write them), MAT v5 files with plain or compressed variables and NYU's
// binary matrix files (small NORB). HDF5 files are written with libhdf5 (hdf5_writer.hpp).
#pragma once

#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace idlab::test {

using Bytes = std::vector<uint8_t>;

inline void put_u16(Bytes& b, uint32_t v) {
    b.push_back(static_cast<uint8_t>(v));
    b.push_back(static_cast<uint8_t>(v >> 8));
}
inline void put_u32(Bytes& b, uint32_t v) {
    put_u16(b, v & 0xFFFF);
    put_u16(b, v >> 16);
}
inline void put_u64(Bytes& b, uint64_t v) {
    put_u32(b, static_cast<uint32_t>(v));
    put_u32(b, static_cast<uint32_t>(v >> 32));
}
inline void put_text(Bytes& b, const std::string& s) { b.insert(b.end(), s.begin(), s.end()); }
inline void pad_to(Bytes& b, size_t multiple) {
    while (b.size() % multiple) b.push_back(0);
}

template <class T>
Bytes raw_bytes(const std::vector<T>& values) {
    Bytes b(values.size() * sizeof(T));
    if (!b.empty()) std::memcpy(b.data(), values.data(), b.size());
    return b;
}

inline void write_file(const std::filesystem::path& path, const Bytes& bytes) {
    std::filesystem::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (!out) throw std::runtime_error("cannot write " + path.string());
}

inline Bytes read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// ------------------------------------------------------------------ .npy

// `shape` is the Python tuple text, e.g. "(2, 3)", "(5,)" or "()".
inline Bytes npy_bytes(const std::string& descr, const std::string& shape, const Bytes& data,
                       bool fortran_order = false, int major = 1) {
    std::string dict = "{'descr': '" + descr + "', 'fortran_order': " + (fortran_order ? "True" : "False") +
                       ", 'shape': " + shape + ", }";
    const size_t preamble = major == 1 ? 10 : 12;
    // Pad with spaces and end with '\n' so that the data starts on a multiple of 64.
    size_t total = preamble + dict.size() + 1;
    dict.append((64 - total % 64) % 64, ' ');
    dict += '\n';
    Bytes b = {0x93, 'N', 'U', 'M', 'P', 'Y', static_cast<uint8_t>(major), 0};
    if (major == 1) put_u16(b, static_cast<uint32_t>(dict.size()));
    else put_u32(b, static_cast<uint32_t>(dict.size()));
    put_text(b, dict);
    b.insert(b.end(), data.begin(), data.end());
    return b;
}

// ------------------------------------------------------------------ ZIP

inline Bytes raw_deflate(const Bytes& data) {
    z_stream s{};
    if (deflateInit2(&s, 6, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        throw std::runtime_error("deflateInit2 failed");
    Bytes out(deflateBound(&s, static_cast<uLong>(data.size())));
    s.next_in = const_cast<Bytef*>(data.data());
    s.avail_in = static_cast<uInt>(data.size());
    s.next_out = out.data();
    s.avail_out = static_cast<uInt>(out.size());
    if (deflate(&s, Z_FINISH) != Z_STREAM_END) throw std::runtime_error("deflate failed");
    out.resize(s.total_out);
    deflateEnd(&s);
    return out;
}

inline Bytes zlib_compress(const Bytes& data) {
    uLongf size = compressBound(static_cast<uLong>(data.size()));
    Bytes out(size);
    if (compress(out.data(), &size, data.data(), static_cast<uLong>(data.size())) != Z_OK)
        throw std::runtime_error("compress failed");
    out.resize(size);
    return out;
}

struct ZipMember {
    std::string name;
    Bytes data;
    bool deflate = false;
};

// A ZIP archive as numpy writes it: no data descriptors, and (zip64_local_extra) a 20-byte
// zip64 extra field in every local header that the central directory does not repeat.
inline Bytes zip_bytes(const std::vector<ZipMember>& members, bool zip64_local_extra = true) {
    Bytes out, directory;
    for (const ZipMember& m : members) {
        const Bytes payload = m.deflate ? raw_deflate(m.data) : m.data;
        const uint32_t crc = static_cast<uint32_t>(crc32(0L, m.data.data(), static_cast<uInt>(m.data.size())));
        const uint32_t offset = static_cast<uint32_t>(out.size());
        const uint16_t method = m.deflate ? 8 : 0;

        put_u32(out, 0x04034b50);
        put_u16(out, zip64_local_extra ? 45 : 20);  // version needed
        put_u16(out, 0);                            // flags
        put_u16(out, method);
        put_u16(out, 0);     // time
        put_u16(out, 0x21);  // date: 1980-01-01
        put_u32(out, crc);
        put_u32(out, static_cast<uint32_t>(payload.size()));
        put_u32(out, static_cast<uint32_t>(m.data.size()));
        put_u16(out, static_cast<uint32_t>(m.name.size()));
        put_u16(out, zip64_local_extra ? 20 : 0);
        put_text(out, m.name);
        if (zip64_local_extra) {
            put_u16(out, 0x0001);
            put_u16(out, 16);
            put_u64(out, m.data.size());
            put_u64(out, payload.size());
        }
        out.insert(out.end(), payload.begin(), payload.end());

        put_u32(directory, 0x02014b50);
        put_u16(directory, 20);  // version made by
        put_u16(directory, 20);  // version needed
        put_u16(directory, 0);
        put_u16(directory, method);
        put_u16(directory, 0);
        put_u16(directory, 0x21);
        put_u32(directory, crc);
        put_u32(directory, static_cast<uint32_t>(payload.size()));
        put_u32(directory, static_cast<uint32_t>(m.data.size()));
        put_u16(directory, static_cast<uint32_t>(m.name.size()));
        put_u16(directory, 0);  // extra
        put_u16(directory, 0);  // comment
        put_u16(directory, 0);  // disk
        put_u16(directory, 0);  // internal attributes
        put_u32(directory, 0);  // external attributes
        put_u32(directory, offset);
        put_text(directory, m.name);
    }
    const uint32_t directory_offset = static_cast<uint32_t>(out.size());
    out.insert(out.end(), directory.begin(), directory.end());
    put_u32(out, 0x06054b50);
    put_u16(out, 0);
    put_u16(out, 0);
    put_u16(out, static_cast<uint32_t>(members.size()));
    put_u16(out, static_cast<uint32_t>(members.size()));
    put_u32(out, static_cast<uint32_t>(directory.size()));
    put_u32(out, directory_offset);
    put_u16(out, 0);
    return out;
}

// ------------------------------------------------------------------ MAT v5

struct MatVariableSpec {
    std::string name;
    uint32_t array_class = 9;   // mxUINT8
    bool logical = false;
    std::vector<int32_t> dims;  // MATLAB order
    uint32_t storage_type = 2;  // miUINT8
    Bytes data;                 // the real part as stored
    bool compressed = true;
};

// One sub-element: the small form when it fits in 4 bytes, else tag + data padded to 8.
inline void put_sub_element(Bytes& b, uint32_t type, const Bytes& data) {
    if (data.size() <= 4) {
        put_u32(b, static_cast<uint32_t>(data.size() << 16) | type);
        Bytes word = data;
        word.resize(4, 0);
        b.insert(b.end(), word.begin(), word.end());
        return;
    }
    put_u32(b, type);
    put_u32(b, static_cast<uint32_t>(data.size()));
    b.insert(b.end(), data.begin(), data.end());
    pad_to(b, 8);
}

inline Bytes mat_matrix_element(const MatVariableSpec& v) {
    Bytes content;
    // Array flags, always in the long form (8 bytes).
    put_u32(content, 6);
    put_u32(content, 8);
    put_u32(content, v.array_class | (v.logical ? 0x200u : 0u));
    put_u32(content, 0);
    Bytes dims;
    for (int32_t d : v.dims) put_u32(dims, static_cast<uint32_t>(d));
    if (dims.size() <= 4) {  // MATLAB writes dimensions in the long form; keep that
        put_u32(content, 5);
        put_u32(content, static_cast<uint32_t>(dims.size()));
        content.insert(content.end(), dims.begin(), dims.end());
        pad_to(content, 8);
    } else {
        put_sub_element(content, 5, dims);
    }
    put_sub_element(content, 1, Bytes(v.name.begin(), v.name.end()));
    put_sub_element(content, v.storage_type, v.data);

    Bytes element;
    put_u32(element, 14);
    put_u32(element, static_cast<uint32_t>(content.size()));
    element.insert(element.end(), content.begin(), content.end());
    return element;
}

inline Bytes mat_bytes(const std::vector<MatVariableSpec>& variables) {
    Bytes b;
    std::string text = "MATLAB 5.0 MAT-file, Platform: GLNXA64, Created by: idlab tests";
    text.resize(116, ' ');
    put_text(b, text);
    for (int i = 0; i < 8; ++i) b.push_back(0);  // subsystem data offset
    put_u16(b, 0x0100);
    b.push_back('I');
    b.push_back('M');
    for (const MatVariableSpec& v : variables) {
        const Bytes element = mat_matrix_element(v);
        if (!v.compressed) {
            b.insert(b.end(), element.begin(), element.end());
            continue;
        }
        const Bytes packed = zlib_compress(element);
        put_u32(b, 15);
        put_u32(b, static_cast<uint32_t>(packed.size()));
        b.insert(b.end(), packed.begin(), packed.end());
    }
    return b;
}

// ------------------------------------------------------------------ NYU binary matrix

// magic 0x1E3D4C55 (uint8) or 0x1E3D4C54 (int32), rank, max(3, rank) dimensions (padding
// slots of 1, as the small NORB files have), then the data.
inline Bytes binary_matrix_bytes(uint32_t magic, const std::vector<int32_t>& dims, const Bytes& data) {
    Bytes b;
    put_u32(b, magic);
    put_u32(b, static_cast<uint32_t>(dims.size()));
    for (size_t i = 0; i < std::max<size_t>(3, dims.size()); ++i)
        put_u32(b, i < dims.size() ? static_cast<uint32_t>(dims[i]) : 1u);
    b.insert(b.end(), data.begin(), data.end());
    return b;
}

inline Bytes gzip_bytes(const Bytes& data) {
    z_stream s{};
    if (deflateInit2(&s, 6, Z_DEFLATED, MAX_WBITS + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        throw std::runtime_error("deflateInit2 failed");
    Bytes out(deflateBound(&s, static_cast<uLong>(data.size())) + 32);
    s.next_in = const_cast<Bytef*>(data.data());
    s.avail_in = static_cast<uInt>(data.size());
    s.next_out = out.data();
    s.avail_out = static_cast<uInt>(out.size());
    if (deflate(&s, Z_FINISH) != Z_STREAM_END) throw std::runtime_error("deflate failed");
    out.resize(s.total_out);
    deflateEnd(&s);
    return out;
}

}  // namespace idlab::test
