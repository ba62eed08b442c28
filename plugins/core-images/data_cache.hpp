// The cache of decoded dataset arrays: data that cannot be memory-mapped where it is stored (a
// deflate-compressed .npz member, a gzip-chunked HDF5 dataset) is decoded once into a plain file
// here and mapped from then on, so that training batches read pages of a mapping instead of
// a copy of the whole array in memory (dSprites' images are 3.0 GB inflated, Shapes3D's 5.9 GB).
//
// Folder: the component's `cache_dir`, else $IDLAB_CACHE, else $XDG_CACHE_HOME/idlab, else
// $HOME/.cache/idlab. A cache file's name carries what identifies its content (for an .npz
// member: the archive's name, the member and its CRC-32 and size; for HDF5: the file's size
// and modification time), so a changed source gets a new file instead of stale data. A file is
// written under a temporary name (its space reserved first, so a full disk is an error, not a
// crash) and renamed into place only once complete and checked.
#pragma once

#include "mapped_file.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace idlab::images {

// The cache folder for `configured` (empty: the environment's), created when missing. Throws
// DataFileError when it cannot be made.
std::string cache_directory(const std::string& configured);

// Receives the bytes of a cache file in order.
class CacheWriter {
public:
    virtual ~CacheWriter() = default;
    virtual void write(const uint8_t* data, size_t size) = 0;
};

// The mapping of cache file `dir`/`name` of `size` bytes. When it is missing (or of another
// size), `produce` writes exactly `size` bytes to the writer first; an exception from `produce`
// leaves no file behind. `what` describes the content for the log ("dsprites imgs").
std::shared_ptr<const MappedFile> cached_file(const std::string& dir, const std::string& name, uint64_t size,
                                              const std::string& what,
                                              const std::function<void(CacheWriter&)>& produce);

// A file name made safe: every character outside [A-Za-z0-9._-] becomes '_'.
std::string cache_file_name(const std::string& text);

}  // namespace idlab::images
