// Little-endian binary encoding for checkpoint files: a writer that buffers, counts and
// checksums (zlib crc32) what it sends on, and a bounds-checked reader over bytes in memory.
// Integers are written byte by byte, so the files are the same on every host.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace idlab::host {

class ByteWriter {
public:
    using Output = std::function<void(const void* data, size_t bytes)>;
    // Without an output the writer only counts (to size a file before writing it).
    explicit ByteWriter(Output out = {});

    void bytes(const void* data, size_t n);
    void u8(uint8_t v);
    void u32(uint32_t v);
    void u64(uint64_t v);
    void i64(int64_t v) { u64(static_cast<uint64_t>(v)); }
    void f64(double v);
    void str(std::string_view s);  // u32 length, then the bytes

    // Sends what is buffered on.
    void flush();
    uint64_t count() const { return count_; }
    // crc32 of every byte so far (flushed or not).
    uint32_t crc() const;

private:
    Output out_;
    std::vector<unsigned char> buffer_;
    size_t used_ = 0;
    uint64_t count_ = 0;
    unsigned long crc_;
    size_t crc_done_ = 0;  // bytes of buffer_ already in crc_
};

// Reading past the end, or a length that does not fit.
struct ByteReaderError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class ByteReader {
public:
    ByteReader(const unsigned char* data, size_t size) : data_(data), size_(size) {}

    const unsigned char* bytes(size_t n, const char* what);
    uint8_t u8(const char* what);
    uint32_t u32(const char* what);
    uint64_t u64(const char* what);
    int64_t i64(const char* what) { return static_cast<int64_t>(u64(what)); }
    double f64(const char* what);
    std::string str(const char* what);

    size_t offset() const { return pos_; }
    size_t remaining() const { return size_ - pos_; }

private:
    const unsigned char* data_;
    size_t size_;
    size_t pos_ = 0;
};

// zlib's crc32 of a buffer of any size.
uint32_t crc32_of(const void* data, size_t n);

}  // namespace idlab::host
