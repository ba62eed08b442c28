// Test helpers that write the files core.features reads, from the format descriptions alone:
// .npy (NEP 1: magic, version 1.0, a little-endian uint16 header length, the header dict padded
// with spaces to a multiple of 64 bytes and ended by '\n', then the C-order data), .npz (a ZIP
// archive of stored .npy members: local headers, central directory, end record, CRC-32 from
// zlib) and plain text.
#pragma once

#include <zlib.h>

#include <catch2/catch.hpp>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace idlab::test {

using Bytes = std::vector<uint8_t>;

// An empty folder of the build tree, made afresh for one test.
inline std::filesystem::path fresh_dir(const std::string& name) {
    const std::filesystem::path dir = std::filesystem::path(IDLAB_PROBES_WORK_DIR) / name;
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}

inline void write_bytes(const std::filesystem::path& path, const Bytes& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    REQUIRE(out.good());
}

inline void write_text(const std::filesystem::path& path, const std::string& text) {
    write_bytes(path, Bytes(text.begin(), text.end()));
}

template <class T>
Bytes bytes_of(const std::vector<T>& values) {
    Bytes b(values.size() * sizeof(T));
    if (!b.empty()) std::memcpy(b.data(), values.data(), b.size());
    return b;
}

inline void append_le(Bytes& b, uint64_t value, int bytes) {
    for (int i = 0; i < bytes; ++i) b.push_back(static_cast<uint8_t>(value >> (8 * i)));
}

// A .npy image: `descr` such as "<f4", `shape` as Python writes it, e.g. "(3, 2)".
inline Bytes npy(const std::string& descr, const std::string& shape, const Bytes& data) {
    std::string header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
    while ((10 + header.size() + 1) % 64 != 0) header += ' ';
    header += '\n';
    Bytes b = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
    append_le(b, header.size(), 2);
    b.insert(b.end(), header.begin(), header.end());
    b.insert(b.end(), data.begin(), data.end());
    return b;
}

struct Member {
    std::string name;  // "features.npy"
    Bytes data;
};

// A ZIP archive with every member stored (method 0), as numpy.savez writes it.
inline Bytes npz(const std::vector<Member>& members) {
    Bytes out, directory;
    for (const Member& m : members) {
        const uint32_t crc = static_cast<uint32_t>(crc32(0L, m.data.data(), static_cast<uInt>(m.data.size())));
        const uint64_t offset = out.size();
        append_le(out, 0x04034b50, 4);  // local file header
        append_le(out, 20, 2);          // version needed
        append_le(out, 0, 2);           // flags
        append_le(out, 0, 2);           // stored
        append_le(out, 0, 4);           // time and date
        append_le(out, crc, 4);
        append_le(out, m.data.size(), 4);
        append_le(out, m.data.size(), 4);
        append_le(out, m.name.size(), 2);
        append_le(out, 0, 2);  // extra length
        out.insert(out.end(), m.name.begin(), m.name.end());
        out.insert(out.end(), m.data.begin(), m.data.end());

        append_le(directory, 0x02014b50, 4);  // central directory header
        append_le(directory, 20, 2);          // made by
        append_le(directory, 20, 2);          // needed
        append_le(directory, 0, 2);
        append_le(directory, 0, 2);
        append_le(directory, 0, 4);
        append_le(directory, crc, 4);
        append_le(directory, m.data.size(), 4);
        append_le(directory, m.data.size(), 4);
        append_le(directory, m.name.size(), 2);
        append_le(directory, 0, 2);  // extra
        append_le(directory, 0, 2);  // comment
        append_le(directory, 0, 2);  // disk
        append_le(directory, 0, 2);  // internal attributes
        append_le(directory, 0, 4);  // external attributes
        append_le(directory, offset, 4);
        directory.insert(directory.end(), m.name.begin(), m.name.end());
    }
    const uint64_t directory_offset = out.size();
    out.insert(out.end(), directory.begin(), directory.end());
    append_le(out, 0x06054b50, 4);  // end of central directory
    append_le(out, 0, 2);
    append_le(out, 0, 2);
    append_le(out, members.size(), 2);
    append_le(out, members.size(), 2);
    append_le(out, directory.size(), 4);
    append_le(out, directory_offset, 4);
    append_le(out, 0, 2);  // comment length
    return out;
}

}  // namespace idlab::test
