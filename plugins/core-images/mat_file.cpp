#include "mat_file.hpp"

#include "data_file_error.hpp"
#include "inflater.hpp"
#include "little_endian.hpp"
#include "mapped_file.hpp"

#include <cstring>
#include <optional>

namespace idlab::images {

namespace {

constexpr size_t kHeaderSize = 128;
constexpr size_t kTagSize = 8;
constexpr uint32_t kFlagLogical = 0x200;
constexpr uint32_t kFlagComplex = 0x800;

uint64_t padded8(uint64_t n) { return (n + 7) & ~uint64_t{7}; }

// The bytes of one top-level element, read front to back: straight from the mapping for a
// miMATRIX, through zlib for a miCOMPRESSED one. Never reads past the element.
class ElementBytes {
public:
    ElementBytes(const uint8_t* data, uint64_t size, bool compressed, const std::string& source)
        : data_(data), size_(size), source_(source) {
        if (compressed)
            inflater_.emplace(data, static_cast<size_t>(size), Inflater::Wrapper::Zlib, source, kMatFormat);
    }

    void read(void* out, uint64_t n) {
        if (inflater_) {
            inflater_->read(static_cast<uint8_t*>(out), static_cast<size_t>(n));
            return;
        }
        if (n > size_ - pos_)
            throw DataFileError(source_, "element ends early (damaged file)", kMatFormat);
        std::memcpy(out, data_ + pos_, static_cast<size_t>(n));
        pos_ += n;
    }

    // For a compressed element: checks that the stream ends here, intact (its Adler-32).
    void finish() {
        if (inflater_) inflater_->expect_end();
    }

    void skip(uint64_t n) {
        if (inflater_) {
            inflater_->skip(static_cast<size_t>(n));
            return;
        }
        if (n > size_ - pos_)
            throw DataFileError(source_, "element ends early (damaged file)", kMatFormat);
        pos_ += n;
    }

private:
    const uint8_t* data_;
    uint64_t size_;
    uint64_t pos_ = 0;
    std::optional<Inflater> inflater_;
    const std::string& source_;
};

// One sub-element of a miMATRIX: its type and data, in either tag form.
struct SubElement {
    uint32_t type = 0;
    std::vector<uint8_t> data;
};

// Reads a sub-element and its padding; `budget` is what is left of the enclosing matrix.
SubElement read_sub_element(ElementBytes& in, uint64_t& budget, const std::string& source,
                            const char* what) {
    auto damaged = [&]() -> SubElement {
        throw DataFileError(source, std::string("damaged ") + what + " sub-element", kMatFormat);
    };
    if (budget < kTagSize) return damaged();
    uint8_t tag[kTagSize];
    in.read(tag, kTagSize);
    budget -= kTagSize;
    const uint32_t first = read_u32le(tag);
    SubElement s;
    if ((first >> 16) != 0) {  // small form: the data sits in the tag's second word
        s.type = first & 0xFFFF;
        const uint32_t n = first >> 16;
        if (n > 4) return damaged();
        s.data.assign(tag + 4, tag + 4 + n);
        return s;
    }
    s.type = first;
    const uint64_t n = read_u32le(tag + 4);
    if (padded8(n) > budget) return damaged();
    s.data.resize(static_cast<size_t>(n));
    in.read(s.data.data(), n);
    in.skip(padded8(n) - n);
    budget -= padded8(n);
    return s;
}

template <class S>
void widen(const uint8_t* bytes, int64_t n, double* out) {
    for (int64_t i = 0; i < n; ++i) {
        S v;
        std::memcpy(&v, bytes + i * static_cast<int64_t>(sizeof(S)), sizeof(S));
        out[i] = static_cast<double>(v);
    }
}

}  // namespace

int mat_type_size(uint32_t data_type) {
    switch (data_type) {
        case kMiInt8:
        case kMiUint8: return 1;
        case kMiInt16:
        case kMiUint16: return 2;
        case kMiInt32:
        case kMiUint32:
        case kMiSingle: return 4;
        case kMiDouble:
        case kMiInt64:
        case kMiUint64: return 8;
        default: return 0;
    }
}

int64_t MatVariable::element_count() const {
    int64_t n = 1;
    for (int64_t d : dims) n *= d;
    return n;
}

std::vector<double> MatVariable::to_double() const {
    const int64_t n = element_count();
    std::vector<double> out(static_cast<size_t>(n));
    const uint8_t* b = data.data();
    switch (storage_type) {
        case kMiInt8: widen<int8_t>(b, n, out.data()); break;
        case kMiUint8: widen<uint8_t>(b, n, out.data()); break;
        case kMiInt16: widen<int16_t>(b, n, out.data()); break;
        case kMiUint16: widen<uint16_t>(b, n, out.data()); break;
        case kMiInt32: widen<int32_t>(b, n, out.data()); break;
        case kMiUint32: widen<uint32_t>(b, n, out.data()); break;
        case kMiSingle: widen<float>(b, n, out.data()); break;
        case kMiDouble: widen<double>(b, n, out.data()); break;
        case kMiInt64: widen<int64_t>(b, n, out.data()); break;
        case kMiUint64: widen<uint64_t>(b, n, out.data()); break;
        default: break;  // parse() admits numeric storage types only
    }
    return out;
}

void MatFile::fail(const std::string& problem) const { throw DataFileError(path_, problem, kMatFormat); }

MatFile::MatFile(const std::string& path) : path_(path) {
    file_ = MappedFile::open(path, kMatFormat);
    const uint8_t* data = file_->data();
    const uint64_t size = file_->size();
    if (size < kHeaderSize) fail("too short for a MAT-file header (" + std::to_string(size) + " bytes)");
    const std::string text(reinterpret_cast<const char*>(data), 19);
    if (text.compare(0, 10, "MATLAB 7.3") == 0)
        fail("a MAT v7.3 (HDF5) file; save it with -v7 or -v6 instead");
    if (text != "MATLAB 5.0 MAT-file")
        fail("no \"MATLAB 5.0 MAT-file\" header text");
    if (data[126] == 'M' && data[127] == 'I') fail("big-endian MAT-files are not supported");
    if (!(data[126] == 'I' && data[127] == 'M')) fail("bad endian indicator in the header");
    if (read_u16le(data + 124) != 0x0100)
        fail("unsupported MAT-file version " + std::to_string(read_u16le(data + 124)));

    for (uint64_t pos = kHeaderSize; pos < size;) {
        if (size - pos < kTagSize)
            fail("truncated: " + std::to_string(size - pos) + " stray bytes at the end, not an element tag");
        Element e;
        e.offset = pos;
        e.type = read_u32le(data + pos);
        e.bytes = read_u32le(data + pos + 4);
        e.payload = pos + kTagSize;
        if ((e.type >> 16) != 0) fail("a small data element at the top level (byte " + std::to_string(pos) + ")");
        if (e.bytes > size - e.payload)
            fail("truncated: the element at byte " + std::to_string(pos) + " declares " +
                 std::to_string(e.bytes) + " bytes, only " + std::to_string(size - e.payload) + " remain");
        // Compressed elements are padded to nothing; plain ones to 8 bytes (the last may not be).
        pos = e.payload + (e.type == kMiCompressed ? e.bytes : std::min(padded8(e.bytes), size - e.payload));
        if (e.type != kMiMatrix && e.type != kMiCompressed) continue;  // nothing a variable needs
        e.name = parse(e, false).name;
        elements_.push_back(std::move(e));
    }
}

MatVariable MatFile::parse(const Element& e, bool with_data) const {
    const std::string where = path_ + " (element at byte " + std::to_string(e.offset) + ")";
    ElementBytes in(file_->data() + e.payload, e.bytes, e.type == kMiCompressed, where);

    uint64_t budget = e.bytes;
    if (e.type == kMiCompressed) {
        uint8_t tag[kTagSize];
        in.read(tag, kTagSize);
        if (read_u32le(tag) != kMiMatrix)
            throw DataFileError(where, "a compressed element that holds no matrix", kMatFormat);
        budget = read_u32le(tag + 4);
    }

    MatVariable v;
    const SubElement flags = read_sub_element(in, budget, where, "array flags");
    if (flags.type != kMiUint32 || flags.data.size() != 8)
        throw DataFileError(where, "damaged array flags", kMatFormat);
    const uint32_t word = read_u32le(flags.data.data());
    v.array_class = word & 0xFF;
    v.logical = (word & kFlagLogical) != 0;
    const bool complex = (word & kFlagComplex) != 0;

    const SubElement dims = read_sub_element(in, budget, where, "dimensions");
    if (dims.type != kMiInt32 || dims.data.size() % 4 != 0 || dims.data.empty())
        throw DataFileError(where, "damaged dimensions", kMatFormat);
    for (size_t i = 0; i < dims.data.size(); i += 4) {
        const int32_t d = static_cast<int32_t>(read_u32le(dims.data.data() + i));
        if (d < 0) throw DataFileError(where, "negative dimension", kMatFormat);
        v.dims.push_back(d);
    }

    const SubElement name = read_sub_element(in, budget, where, "name");
    if (name.type != kMiInt8) throw DataFileError(where, "damaged array name", kMatFormat);
    v.name.assign(name.data.begin(), name.data.end());
    if (!with_data) return v;

    const std::string source = path_ + " (variable '" + v.name + "')";
    const bool numeric = v.array_class >= kMxDouble && v.array_class <= kMxUint64;
    if (!numeric || complex)
        throw DataFileError(source,
                            "only real numeric and logical arrays are supported (class " +
                                std::to_string(v.array_class) + (complex ? ", complex" : "") + ")",
                            kMatFormat);
    SubElement real = read_sub_element(in, budget, source, "real part");
    const int item = mat_type_size(real.type);
    if (item == 0)
        throw DataFileError(source, "unknown storage type " + std::to_string(real.type), kMatFormat);
    const int64_t count = v.element_count();
    if (static_cast<uint64_t>(count) * item != real.data.size())
        throw DataFileError(source,
                            "the real part holds " + std::to_string(real.data.size()) + " bytes, " +
                                std::to_string(count) + " elements of " + std::to_string(item) +
                                " bytes were expected",
                            kMatFormat);
    in.finish();
    v.storage_type = real.type;
    v.data = std::move(real.data);
    return v;
}

std::vector<std::string> MatFile::names() const {
    std::vector<std::string> out;
    for (const Element& e : elements_) out.push_back(e.name);
    return out;
}

bool MatFile::contains(const std::string& name) const {
    for (const Element& e : elements_)
        if (e.name == name) return true;
    return false;
}

MatVariable MatFile::read(const std::string& name) const {
    for (const Element& e : elements_)
        if (e.name == name) return parse(e, true);
    std::string present;
    for (const Element& e : elements_) present += (present.empty() ? "" : ", ") + e.name;
    fail("no variable '" + name + "' (the file holds: " + (present.empty() ? std::string("nothing") : present) +
         ")");
}

}  // namespace idlab::images
