#include "runtime/binary_stream.hpp"

#include <zlib.h>

#include <algorithm>
#include <cstring>

namespace idlab::host {

namespace {
constexpr size_t kBufferBytes = size_t{1} << 20;
}

uint32_t crc32_of(const void* data, size_t n) {
    return static_cast<uint32_t>(crc32_z(crc32_z(0L, Z_NULL, 0), static_cast<const Bytef*>(data), n));
}

ByteWriter::ByteWriter(Output out) : out_(std::move(out)), crc_(crc32_z(0L, Z_NULL, 0)) {
    if (out_) buffer_.resize(kBufferBytes);
}

void ByteWriter::bytes(const void* data, size_t n) {
    count_ += n;
    if (!out_) return;
    const unsigned char* p = static_cast<const unsigned char*>(data);
    while (n > 0) {
        if (used_ == buffer_.size()) flush();
        const size_t take = std::min(n, buffer_.size() - used_);
        std::memcpy(buffer_.data() + used_, p, take);
        used_ += take;
        p += take;
        n -= take;
    }
}

void ByteWriter::u8(uint8_t v) { bytes(&v, 1); }

void ByteWriter::u32(uint32_t v) {
    unsigned char b[4];
    for (int i = 0; i < 4; ++i) b[i] = static_cast<unsigned char>(v >> (8 * i));
    bytes(b, 4);
}

void ByteWriter::u64(uint64_t v) {
    unsigned char b[8];
    for (int i = 0; i < 8; ++i) b[i] = static_cast<unsigned char>(v >> (8 * i));
    bytes(b, 8);
}

void ByteWriter::f64(double v) {
    uint64_t bits;
    std::memcpy(&bits, &v, sizeof(bits));
    u64(bits);
}

void ByteWriter::str(std::string_view s) {
    u32(static_cast<uint32_t>(s.size()));
    bytes(s.data(), s.size());
}

void ByteWriter::flush() {
    if (!out_ || used_ == 0) return;
    crc_ = crc32_z(crc_, buffer_.data() + crc_done_, used_ - crc_done_);
    out_(buffer_.data(), used_);
    used_ = 0;
    crc_done_ = 0;
}

uint32_t ByteWriter::crc() const {
    return static_cast<uint32_t>(crc32_z(crc_, buffer_.data() + crc_done_, used_ - crc_done_));
}

const unsigned char* ByteReader::bytes(size_t n, const char* what) {
    if (n > size_ - pos_)
        throw ByteReaderError(std::string(what) + " at byte " + std::to_string(pos_) + " needs " +
                              std::to_string(n) + " bytes, but only " +
                              std::to_string(size_ - pos_) + " are left");
    const unsigned char* p = data_ + pos_;
    pos_ += n;
    return p;
}

uint8_t ByteReader::u8(const char* what) { return *bytes(1, what); }

uint32_t ByteReader::u32(const char* what) {
    const unsigned char* b = bytes(4, what);
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(b[i]) << (8 * i);
    return v;
}

uint64_t ByteReader::u64(const char* what) {
    const unsigned char* b = bytes(8, what);
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(b[i]) << (8 * i);
    return v;
}

double ByteReader::f64(const char* what) {
    const uint64_t bits = u64(what);
    double v;
    std::memcpy(&v, &bits, sizeof(v));
    return v;
}

std::string ByteReader::str(const char* what) {
    const uint32_t n = u32(what);
    const unsigned char* p = bytes(n, what);
    return std::string(reinterpret_cast<const char*>(p), n);
}

}  // namespace idlab::host
