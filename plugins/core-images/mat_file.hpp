// A reader of MATLAB 5.0 MAT-files (MAT v5), enough for the DisLib Cars3D files: numeric and
// logical arrays of any rank, stored plain (miMATRIX) or zlib-compressed (miCOMPRESSED).
//
// Why not libmatio: on a truncated file libmatio 1.5.23 returns the variable with part of its
// data left unset and only logs a warning, so a cut-off download would be read as valid
// pixels. This reader fails with a message that names the file instead.
//
// Layout (../shared/reference/datasets.md §1.5): a 128-byte header (text starting "MATLAB
// 5.0 MAT-file", subsystem offset, version 0x0100, endian indicator "IM"), then top-level
// elements, each an 8-byte tag (uint32 type, uint32 byte count) and its payload. A miMATRIX
// payload holds sub-elements padded to 8 bytes: array flags (class in the low byte, 0x200 =
// logical, 0x800 = complex), dimensions, name and the real part. A sub-element of 4 bytes or
// less may use the "small" form: one word (bytes << 16 | type) followed by the data in the same
// 8 bytes. MATLAB stores a double array in the smallest integer type that holds it exactly,
// so values are converted by their storage type, not by their class.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace idlab::images {

class MappedFile;

// MAT v5 data types of stored elements.
enum MatDataType : uint32_t {
    kMiInt8 = 1,
    kMiUint8 = 2,
    kMiInt16 = 3,
    kMiUint16 = 4,
    kMiInt32 = 5,
    kMiUint32 = 6,
    kMiSingle = 7,
    kMiDouble = 9,
    kMiInt64 = 12,
    kMiUint64 = 13,
    kMiMatrix = 14,
    kMiCompressed = 15,
};

// MATLAB array classes (the low byte of the array flags).
enum MatArrayClass : uint32_t {
    kMxCell = 1,
    kMxStruct = 2,
    kMxObject = 3,
    kMxChar = 4,
    kMxSparse = 5,
    kMxDouble = 6,
    kMxSingle = 7,
    kMxInt8 = 8,
    kMxUint8 = 9,
    kMxInt16 = 10,
    kMxUint16 = 11,
    kMxInt32 = 12,
    kMxUint32 = 13,
    kMxInt64 = 14,
    kMxUint64 = 15,
};

// Bytes per element of a numeric storage type; 0 for any other type.
int mat_type_size(uint32_t data_type);

struct MatVariable {
    std::string name;
    uint32_t array_class = 0;      // MatArrayClass
    bool logical = false;
    std::vector<int64_t> dims;     // MATLAB order: the first index varies fastest
    uint32_t storage_type = 0;     // MatDataType of the real part
    std::vector<uint8_t> data;     // the real part as stored (little endian)

    int64_t element_count() const;
    // The values converted by their storage type.
    std::vector<double> to_double() const;
};

class MatFile {
public:
    // Maps `path` and lists its variables; throws DataFileError when the file is missing, is not
    // a little-endian MAT v5 file, or is cut short.
    explicit MatFile(const std::string& path);

    const std::string& path() const { return path_; }
    // Variable names in file order.
    std::vector<std::string> names() const;
    bool contains(const std::string& name) const;
    // Reads one numeric or logical variable in full; throws DataFileError when it is absent,
    // of another kind (cell, struct, char, sparse, complex) or damaged.
    MatVariable read(const std::string& name) const;

private:
    struct Element {
        std::string name;
        uint32_t type = 0;       // kMiMatrix or kMiCompressed
        uint64_t offset = 0;     // of the tag
        uint64_t payload = 0;    // of the payload
        uint64_t bytes = 0;      // payload size
    };
    [[noreturn]] void fail(const std::string& problem) const;
    MatVariable parse(const Element& e, bool with_data) const;

    std::string path_;
    std::shared_ptr<const MappedFile> file_;
    std::vector<Element> elements_;
};

}  // namespace idlab::images
