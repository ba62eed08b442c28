// Streaming zlib decompression of an in-memory buffer: .npz members are raw deflate, MAT v5
// miCOMPRESSED elements are zlib streams (with the 2-byte header). Output is pulled in pieces,
// so a reader can inflate a MAT element's first bytes to learn its size and name, and a
// truncated or corrupt stream is reported with the file and the format expected.
#pragma once

#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace idlab::images {

class Inflater {
public:
    enum class Wrapper { Raw, Zlib };

    // `source` and `expected_format` only go into error messages.
    Inflater(const uint8_t* data, size_t size, Wrapper wrapper, std::string source,
             std::string expected_format);
    ~Inflater();
    Inflater(const Inflater&) = delete;
    Inflater& operator=(const Inflater&) = delete;

    // Fills out[0, n) or throws DataFileError when the stream ends early or is corrupt.
    void read(uint8_t* out, size_t n);
    // Discards n bytes of output.
    void skip(size_t n);
    // Reads on to the end marker, so that zlib verifies the stream's checksum; throws when the
    // stream holds more data or is damaged.
    void expect_end();
    // True once the compressed stream has reached its end marker.
    bool finished() const { return finished_; }
    uint64_t produced() const { return produced_; }

private:
    // Inflates into out[0, n); returns how many bytes came out (less only at the stream end).
    size_t pull(uint8_t* out, size_t n);

    z_stream stream_{};
    const uint8_t* next_in_;
    size_t remaining_in_;
    bool finished_ = false;
    uint64_t produced_ = 0;
    std::string source_;
    std::string expected_format_;
};

}  // namespace idlab::images
