#include "inflater.hpp"

#include "data_file_error.hpp"

#include <algorithm>
#include <vector>

namespace idlab::images {

namespace {
// zlib counts in uInt (32 bits); larger buffers are fed in pieces of this size.
constexpr size_t kMaxChunk = size_t{1} << 30;
}  // namespace

Inflater::Inflater(const uint8_t* data, size_t size, Wrapper wrapper, std::string source,
                   std::string expected_format)
    : next_in_(data),
      remaining_in_(size),
      source_(std::move(source)),
      expected_format_(std::move(expected_format)) {
    const int window_bits = wrapper == Wrapper::Raw ? -MAX_WBITS : MAX_WBITS;
    if (inflateInit2(&stream_, window_bits) != Z_OK)
        throw DataFileError(source_, "cannot start zlib decompression", expected_format_);
}

Inflater::~Inflater() { inflateEnd(&stream_); }

size_t Inflater::pull(uint8_t* out, size_t n) {
    size_t done = 0;
    while (done < n && !finished_) {
        if (stream_.avail_in == 0) {
            if (remaining_in_ == 0)
                throw DataFileError(source_,
                                    "compressed data ends early (truncated file?) after " +
                                        std::to_string(produced_ + done) + " inflated bytes",
                                    expected_format_);
            const size_t chunk = std::min(remaining_in_, kMaxChunk);
            stream_.next_in = const_cast<Bytef*>(next_in_);
            stream_.avail_in = static_cast<uInt>(chunk);
            next_in_ += chunk;
            remaining_in_ -= chunk;
        }
        const size_t want = std::min(n - done, kMaxChunk);
        stream_.next_out = out + done;
        stream_.avail_out = static_cast<uInt>(want);
        const int rc = inflate(&stream_, Z_NO_FLUSH);
        done += want - stream_.avail_out;
        if (rc == Z_STREAM_END) {
            finished_ = true;
        } else if (rc == Z_BUF_ERROR) {
            // No progress possible with the input given so far: loop to feed more, or report
            // the end of the data above.
            if (stream_.avail_in != 0)
                throw DataFileError(source_, "corrupt compressed data (zlib: no progress)",
                                    expected_format_);
        } else if (rc != Z_OK) {
            const std::string why = stream_.msg ? stream_.msg : "error " + std::to_string(rc);
            throw DataFileError(source_,
                                "corrupt compressed data (zlib: " + why + ") after " +
                                    std::to_string(produced_ + done) + " inflated bytes",
                                expected_format_);
        }
    }
    produced_ += done;
    return done;
}

void Inflater::read(uint8_t* out, size_t n) {
    const size_t got = pull(out, n);
    if (got < n)
        throw DataFileError(source_,
                            "compressed stream ends after " + std::to_string(produced_) +
                                " bytes, " + std::to_string(n - got) + " more were expected",
                            expected_format_);
}

void Inflater::expect_end() {
    uint8_t extra = 0;
    if (pull(&extra, 1) != 0)
        throw DataFileError(source_, "the compressed stream holds more data than its element declares",
                            expected_format_);
}

void Inflater::skip(size_t n) {
    std::vector<uint8_t> sink(std::min<size_t>(n, 1 << 16));
    while (n > 0) {
        const size_t step = std::min(n, sink.size());
        read(sink.data(), step);
        n -= step;
    }
}

}  // namespace idlab::images
