#include "npz_archive.hpp"

#include "data_cache.hpp"
#include "data_file_error.hpp"
#include "inflater.hpp"
#include "little_endian.hpp"
#include "mapped_file.hpp"

#include <zlib.h>

#include <algorithm>
#include <cstdio>

namespace idlab::images {

namespace {

constexpr uint32_t kLocalHeaderSignature = 0x04034b50;
constexpr uint32_t kCentralHeaderSignature = 0x02014b50;
constexpr uint32_t kEndSignature = 0x06054b50;
constexpr uint32_t kZip64EndSignature = 0x06064b50;
constexpr uint32_t kZip64LocatorSignature = 0x07064b50;
constexpr size_t kLocalHeaderSize = 30;
constexpr size_t kCentralHeaderSize = 46;
constexpr size_t kEndSize = 22;
constexpr size_t kZip64LocatorSize = 20;
constexpr size_t kZip64EndSize = 56;
constexpr uint16_t kMethodStored = 0;
constexpr uint16_t kMethodDeflate = 8;
constexpr uint16_t kZip64ExtraId = 0x0001;

bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

uint32_t crc32_of(const uint8_t* data, size_t size) {
    uLong crc = crc32(0L, Z_NULL, 0);
    while (size > 0) {
        const uInt chunk = static_cast<uInt>(std::min<size_t>(size, 1u << 30));
        crc = crc32(crc, data, chunk);
        data += chunk;
        size -= chunk;
    }
    return static_cast<uint32_t>(crc);
}

// An inflated member: the bytes and the .npy parsed from them share one lifetime.
struct InflatedMember {
    std::vector<uint8_t> bytes;
};

}  // namespace

void NpzArchive::fail(const std::string& problem) const {
    throw DataFileError(path_, problem, kNpzFormat);
}

NpzArchive::NpzArchive(const std::string& path) : path_(path) {
    file_ = MappedFile::open(path, kNpzFormat);
    read_central_directory();
}

void NpzArchive::read_central_directory() {
    const uint8_t* data = file_->data();
    const size_t size = file_->size();
    if (size < kEndSize) fail("too short for a ZIP archive (" + std::to_string(size) + " bytes)");

    // The end record is the last 22 bytes plus a comment of up to 65535 bytes: search backwards
    // for a signature whose comment length reaches exactly to the end of the file.
    size_t end = std::string::npos;
    const size_t lowest = size > kEndSize + 0xFFFF ? size - kEndSize - 0xFFFF : 0;
    for (size_t pos = size - kEndSize + 1; pos-- > lowest;) {
        if (read_u32le(data + pos) == kEndSignature &&
            pos + kEndSize + read_u16le(data + pos + 20) == size) {
            end = pos;
            break;
        }
    }
    if (end == std::string::npos)
        fail("no ZIP end-of-central-directory record (the file is truncated or not a ZIP archive)");

    uint64_t entries = read_u16le(data + end + 10);
    uint64_t directory_size = read_u32le(data + end + 12);
    uint64_t directory_offset = read_u32le(data + end + 16);
    if (read_u16le(data + end + 4) != 0 || read_u16le(data + end + 6) != 0)
        fail("multi-part (spanned) ZIP archives are not supported");

    // Archives over 4 GiB or with over 65535 members keep the real values in the zip64 end record.
    if (entries == 0xFFFF || directory_size == 0xFFFFFFFF || directory_offset == 0xFFFFFFFF) {
        if (end < kZip64LocatorSize || read_u32le(data + end - kZip64LocatorSize) != kZip64LocatorSignature)
            fail("zip64 fields without a zip64 end-of-central-directory locator");
        const uint64_t record = read_u64le(data + end - kZip64LocatorSize + 8);
        if (size < kZip64EndSize || record > size - kZip64EndSize || read_u32le(data + record) != kZip64EndSignature)
            fail("the zip64 end-of-central-directory record is missing or damaged");
        entries = read_u64le(data + record + 32);
        directory_size = read_u64le(data + record + 40);
        directory_offset = read_u64le(data + record + 48);
    }
    if (directory_offset > size || directory_size > size - directory_offset)
        fail("the central directory lies outside the file (truncated?)");

    size_t pos = static_cast<size_t>(directory_offset);
    const size_t directory_end = static_cast<size_t>(directory_offset + directory_size);
    for (uint64_t i = 0; i < entries; ++i) {
        if (pos + kCentralHeaderSize > directory_end || read_u32le(data + pos) != kCentralHeaderSignature)
            fail("damaged central directory at entry " + std::to_string(i));
        const uint8_t* h = data + pos;
        Member m;
        m.flags = read_u16le(h + 8);
        m.method = read_u16le(h + 10);
        m.crc32 = read_u32le(h + 16);
        m.compressed_size = read_u32le(h + 20);
        m.uncompressed_size = read_u32le(h + 24);
        const size_t name_len = read_u16le(h + 28);
        const size_t extra_len = read_u16le(h + 30);
        const size_t comment_len = read_u16le(h + 32);
        m.local_header_offset = read_u32le(h + 42);
        if (pos + kCentralHeaderSize + name_len + extra_len + comment_len > directory_end)
            fail("damaged central directory at entry " + std::to_string(i));
        m.name.assign(reinterpret_cast<const char*>(h + kCentralHeaderSize), name_len);

        // zip64 extra: only the fields saturated in the header are present, in this order.
        const uint8_t* extra = h + kCentralHeaderSize + name_len;
        for (size_t e = 0; e + 4 <= extra_len;) {
            const uint16_t id = read_u16le(extra + e);
            const size_t len = read_u16le(extra + e + 2);
            if (e + 4 + len > extra_len) break;
            if (id == kZip64ExtraId) {
                const uint8_t* f = extra + e + 4;
                size_t used = 0;
                auto take = [&](uint64_t& field) {
                    if (field != 0xFFFFFFFF) return;
                    if (used + 8 > len) fail("damaged zip64 extra field of member '" + m.name + "'");
                    field = read_u64le(f + used);
                    used += 8;
                };
                take(m.uncompressed_size);
                take(m.compressed_size);
                take(m.local_header_offset);
            }
            e += 4 + len;
        }
        members_.push_back(std::move(m));
        pos += kCentralHeaderSize + name_len + extra_len + comment_len;
    }
}

std::vector<std::string> NpzArchive::keys() const {
    std::vector<std::string> out;
    for (const Member& m : members_)
        out.push_back(ends_with(m.name, ".npy") ? m.name.substr(0, m.name.size() - 4) : m.name);
    return out;
}

const NpzArchive::Member* NpzArchive::find(const std::string& key) const {
    const std::string name = ends_with(key, ".npy") ? key : key + ".npy";
    for (const Member& m : members_)
        if (m.name == name) return &m;
    return nullptr;
}

bool NpzArchive::contains(const std::string& key) const { return find(key) != nullptr; }

const NpzArchive::Member& NpzArchive::locate(const std::string& key, const uint8_t*& payload) const {
    const Member* m = find(key);
    if (!m) {
        std::string present;
        for (const std::string& k : keys()) present += (present.empty() ? "" : ", ") + k;
        fail("no array '" + key + "' in the archive (it holds: " +
             (present.empty() ? std::string("nothing") : present) + ")");
    }
    const std::string source = path_ + "[" + m->name + "]";
    if (m->flags & 0x1) throw DataFileError(source, "encrypted members are not supported", kNpzFormat);
    if (m->method != kMethodStored && m->method != kMethodDeflate)
        throw DataFileError(source,
                            "compression method " + std::to_string(m->method) +
                                " is not supported (only stored and deflate)",
                            kNpzFormat);

    const uint8_t* data = file_->data();
    const size_t size = file_->size();
    const uint64_t offset = m->local_header_offset;
    if (offset > size || size - offset < kLocalHeaderSize || read_u32le(data + offset) != kLocalHeaderSignature)
        throw DataFileError(source, "missing or damaged local header (truncated file?)", kNpzFormat);
    // The local header's own name and extra lengths decide where the data starts.
    const uint64_t start = offset + kLocalHeaderSize + read_u16le(data + offset + 26) +
                           read_u16le(data + offset + 28);
    if (start > size || size - start < m->compressed_size)
        throw DataFileError(source,
                            "truncated: the member's " + std::to_string(m->compressed_size) +
                                " bytes run past the end of the file",
                            kNpzFormat);
    if (m->method == kMethodStored && m->compressed_size != m->uncompressed_size)
        throw DataFileError(source, "stored member with differing sizes", kNpzFormat);
    payload = data + start;
    return *m;
}

NpyArray NpzArchive::load(const std::string& key) const {
    const uint8_t* payload = nullptr;
    const Member& m = locate(key, payload);
    const std::string source = path_ + "[" + m.name + "]";
    if (m.method == kMethodStored) {
        // Parsed in place; the array keeps the mapping alive. (Its CRC is not checked: that
        // would read every page of a possibly huge memory-mapped member.)
        return NpyArray::parse(payload, static_cast<size_t>(m.compressed_size), file_, source);
    }

    auto inflated = std::make_shared<InflatedMember>();
    inflated->bytes.resize(static_cast<size_t>(m.uncompressed_size));
    Inflater inflater(payload, static_cast<size_t>(m.compressed_size), Inflater::Wrapper::Raw, source, kNpzFormat);
    inflater.read(inflated->bytes.data(), inflated->bytes.size());
    if (crc32_of(inflated->bytes.data(), inflated->bytes.size()) != m.crc32)
        throw DataFileError(source, "CRC-32 mismatch: the member's data is corrupt", kNpzFormat);
    const uint8_t* bytes = inflated->bytes.data();
    const size_t count = inflated->bytes.size();
    return NpyArray::parse(bytes, count, std::move(inflated), source);
}

NpyArray NpzArchive::load_cached(const std::string& key, const std::string& cache_dir) const {
    const uint8_t* payload = nullptr;
    const Member& m = locate(key, payload);
    if (m.method == kMethodStored) return load(key);
    const std::string source = path_ + "[" + m.name + "]";

    // Named by the archive, the member and what identifies its bytes (CRC-32 and size).
    const size_t slash = path_.find_last_of('/');
    const std::string archive_name = slash == std::string::npos ? path_ : path_.substr(slash + 1);
    char crc[16];
    std::snprintf(crc, sizeof crc, "%08x", m.crc32);
    const std::string name = cache_file_name(archive_name + "." + m.name) + "." + crc + "." +
                             std::to_string(m.uncompressed_size) + ".npy";
    std::shared_ptr<const MappedFile> mapped = cached_file(
        cache_directory(cache_dir), name, m.uncompressed_size, source, [&](CacheWriter& out) {
            Inflater inflater(payload, static_cast<size_t>(m.compressed_size), Inflater::Wrapper::Raw, source,
                              kNpzFormat);
            std::vector<uint8_t> chunk(size_t{16} << 20);
            uLong running = crc32(0L, Z_NULL, 0);
            for (uint64_t left = m.uncompressed_size; left > 0;) {
                const size_t n = static_cast<size_t>(std::min<uint64_t>(left, chunk.size()));
                inflater.read(chunk.data(), n);
                running = crc32(running, chunk.data(), static_cast<uInt>(n));
                out.write(chunk.data(), n);
                left -= n;
            }
            if (static_cast<uint32_t>(running) != m.crc32)
                throw DataFileError(source, "CRC-32 mismatch: the member's data is corrupt", kNpzFormat);
        });
    const uint8_t* bytes = mapped->data();
    const size_t count = mapped->size();
    return NpyArray::parse(bytes, count, std::move(mapped), source);
}

}  // namespace idlab::images
