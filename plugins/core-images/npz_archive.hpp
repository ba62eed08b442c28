// A NumPy .npz archive: a ZIP file with one "<key>.npy" member per array, written by
// numpy.savez (members stored) or numpy.savez_compressed (members raw-deflated). The archive
// is memory-mapped; a stored member is parsed in place (no copy), a deflated one is inflated
// into memory by load(), or once into a cache file that is mapped from then on by
// load_cached() (for arrays too large to hold in memory: data_cache.hpp); either way its
// CRC-32 is checked.
//
// ZIP facts relied on (see ../shared/reference/datasets.md §6): the end-of-central-directory
// record locates the central directory; sizes and offsets of 0xFFFFFFFF are in a zip64 extra
// field (id 0x0001), and an archive over 4 GiB has a zip64 end record; a member's data starts
// after its local header, whose name and extra lengths may differ from the central directory's
// (numpy puts a zip64 extra in every local header).
#pragma once

#include "npy_array.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace idlab::images {

class MappedFile;

class NpzArchive {
public:
    // Maps and indexes `path`; throws DataFileError when it is missing or not a valid archive.
    explicit NpzArchive(const std::string& path);

    const std::string& path() const { return path_; }
    // Array names: member names without ".npy", in archive order.
    std::vector<std::string> keys() const;
    bool contains(const std::string& key) const;
    // The array `key` ("images" or "images.npy"); throws DataFileError naming the members present
    // when there is none.
    NpyArray load(const std::string& key) const;
    // The same, but a deflated member is inflated into the cache folder `cache_dir`
    // (cache_directory()) on first use and mapped from there; a stored one is mapped in place.
    NpyArray load_cached(const std::string& key, const std::string& cache_dir) const;

private:
    struct Member {
        std::string name;
        uint16_t flags = 0;
        uint16_t method = 0;
        uint32_t crc32 = 0;
        uint64_t compressed_size = 0;
        uint64_t uncompressed_size = 0;
        uint64_t local_header_offset = 0;
    };
    [[noreturn]] void fail(const std::string& problem) const;
    void read_central_directory();
    const Member* find(const std::string& key) const;
    // The member `key`, checked; `payload` is set to its (compressed) bytes in the mapping.
    const Member& locate(const std::string& key, const uint8_t*& payload) const;

    std::string path_;
    std::shared_ptr<const MappedFile> file_;
    std::vector<Member> members_;
};

}  // namespace idlab::images
