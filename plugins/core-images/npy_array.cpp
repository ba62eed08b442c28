#include "npy_array.hpp"

#include "data_file_error.hpp"
#include "little_endian.hpp"
#include "mapped_file.hpp"

#include <cctype>
#include <cstring>
#include <limits>

namespace idlab::images {

namespace {

constexpr uint8_t kMagic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};

// The three keys of a .npy header dict, read by a small parser of the Python literal subset
// numpy writes: quoted strings, True/False and tuples of integers.
struct NpyHeader {
    std::string descr;
    bool fortran_order = false;
    std::vector<int64_t> shape;
};

class HeaderParser {
public:
    HeaderParser(const std::string& text, const std::string& source)
        : text_(text), source_(source) {}

    NpyHeader parse() {
        NpyHeader h;
        bool has_descr = false, has_order = false, has_shape = false;
        expect('{');
        while (!consume('}')) {
            const std::string key = quoted();
            expect(':');
            if (key == "descr") {
                skip_space();
                if (peek() == '[') fail("structured dtypes (a list in 'descr') are not supported");
                h.descr = quoted();
                has_descr = true;
            } else if (key == "fortran_order") {
                h.fortran_order = boolean();
                has_order = true;
            } else if (key == "shape") {
                h.shape = tuple();
                has_shape = true;
            } else {
                fail("unknown header key '" + key + "'");
            }
            if (!consume(',')) {
                expect('}');
                break;
            }
        }
        if (!has_descr || !has_order || !has_shape)
            fail("the header dict lacks 'descr', 'fortran_order' or 'shape'");
        return h;
    }

private:
    [[noreturn]] void fail(const std::string& why) const {
        throw DataFileError(source_, "bad .npy header: " + why, kNpyFormat);
    }
    void skip_space() {
        while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    }
    char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
    bool consume(char c) {
        skip_space();
        if (peek() != c) return false;
        ++pos_;
        return true;
    }
    void expect(char c) {
        if (!consume(c)) fail(std::string("expected '") + c + "' at offset " + std::to_string(pos_));
    }
    std::string quoted() {
        skip_space();
        const char q = peek();
        if (q != '\'' && q != '"') fail("expected a quoted string at offset " + std::to_string(pos_));
        const size_t end = text_.find(q, pos_ + 1);
        if (end == std::string::npos) fail("unterminated string");
        std::string s = text_.substr(pos_ + 1, end - pos_ - 1);
        pos_ = end + 1;
        return s;
    }
    bool boolean() {
        skip_space();
        if (text_.compare(pos_, 4, "True") == 0) {
            pos_ += 4;
            return true;
        }
        if (text_.compare(pos_, 5, "False") == 0) {
            pos_ += 5;
            return false;
        }
        fail("expected True or False for 'fortran_order'");
    }
    std::vector<int64_t> tuple() {
        std::vector<int64_t> dims;
        expect('(');
        while (!consume(')')) {
            skip_space();
            if (!std::isdigit(static_cast<unsigned char>(peek())))
                fail("expected a non-negative integer in 'shape'");
            int64_t v = 0;
            while (std::isdigit(static_cast<unsigned char>(peek()))) {
                const int digit = peek() - '0';
                if (v > (std::numeric_limits<int64_t>::max() - digit) / 10) fail("a dimension in 'shape' is too large");
                v = v * 10 + digit;
                ++pos_;
            }
            // numpy writes Python ints; a trailing 'L' comes from Python 2.
            if (peek() == 'L') ++pos_;
            dims.push_back(v);
            if (!consume(',')) {
                expect(')');
                break;
            }
        }
        return dims;
    }

    const std::string& text_;
    const std::string& source_;
    size_t pos_ = 0;
};

NpyDtype parse_dtype(const std::string& descr, const std::string& source) {
    auto fail = [&](const std::string& why) -> NpyDtype {
        throw DataFileError(source, "unsupported dtype '" + descr + "': " + why, kNpyFormat);
    };
    if (descr.size() >= 2 && descr[1] == 'O')
        return fail("object arrays hold pickled Python objects and cannot be read here");
    if (descr.size() < 3) return fail("not a simple dtype");
    const char order = descr[0];
    const char kind = descr[1];
    if (kind != 'b' && kind != 'i' && kind != 'u' && kind != 'f')
        return fail("only bool, integer and float dtypes are supported");
    int itemsize = 0;
    for (size_t i = 2; i < descr.size(); ++i) {
        if (!std::isdigit(static_cast<unsigned char>(descr[i]))) return fail("bad item size");
        itemsize = itemsize * 10 + (descr[i] - '0');
        if (itemsize > 16) return fail("bad item size");
    }
    const bool int_size = itemsize == 1 || itemsize == 2 || itemsize == 4 || itemsize == 8;
    if ((kind == 'b' && itemsize != 1) || ((kind == 'i' || kind == 'u') && !int_size) ||
        (kind == 'f' && itemsize != 4 && itemsize != 8))
        return fail("bad item size");
    if (order == '>' && itemsize > 1) return fail("big-endian data is not supported");
    if (order != '<' && order != '|' && order != '=' && order != '>') return fail("bad byte order");
    NpyDtype d;
    d.kind = kind;
    d.itemsize = itemsize;
    d.descr = descr;
    return d;
}

template <class T, class S>
void convert(const uint8_t* bytes, int64_t n, T* out) {
    for (int64_t i = 0; i < n; ++i) {
        S v;
        std::memcpy(&v, bytes + i * static_cast<int64_t>(sizeof(S)), sizeof(S));  // unaligned-safe
        out[i] = static_cast<T>(v);
    }
}

}  // namespace

std::string shape_to_string(const std::vector<int64_t>& shape) {
    std::string s = "(";
    for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
    if (shape.size() == 1) s += ",";
    return s + ")";
}

NpyArray NpyArray::parse(const uint8_t* data, size_t size, std::shared_ptr<const void> owner,
                         const std::string& source) {
    if (size < 10 || std::memcmp(data, kMagic, sizeof kMagic) != 0)
        throw DataFileError(source,
                            size < 10 ? "too short for a .npy header (" + std::to_string(size) + " bytes)"
                                      : "no .npy magic string \\x93NUMPY at the start",
                            kNpyFormat);
    const int major = data[6];
    size_t header_len = 0, header_start = 0;
    if (major == 1) {
        header_len = read_u16le(data + 8);
        header_start = 10;
    } else if (major == 2 || major == 3) {
        if (size < 12) throw DataFileError(source, "truncated .npy header", kNpyFormat);
        header_len = read_u32le(data + 8);
        header_start = 12;
    } else {
        throw DataFileError(source, "unsupported .npy format version " + std::to_string(major) + "." +
                                        std::to_string(data[7]),
                            kNpyFormat);
    }
    if (header_start + header_len > size)
        throw DataFileError(source,
                            "truncated: the header says " + std::to_string(header_len) +
                                " bytes but the file ends at byte " + std::to_string(size),
                            kNpyFormat);
    const std::string text(reinterpret_cast<const char*>(data + header_start), header_len);
    const NpyHeader header = HeaderParser(text, source).parse();

    NpyArray a;
    a.source_ = source;
    a.dtype_ = parse_dtype(header.descr, source);
    if (header.fortran_order)
        throw DataFileError(source,
                            "fortran_order is True; only C-order arrays are supported "
                            "(save with numpy.ascontiguousarray)",
                            kNpyFormat);
    a.shape_ = header.shape;
    int64_t count = 1;
    for (int64_t d : a.shape_) {
        if (d != 0 && count > std::numeric_limits<int64_t>::max() / a.dtype_.itemsize / d)
            throw DataFileError(source, "shape " + shape_to_string(a.shape_) + " is too large", kNpyFormat);
        count *= d;
    }
    a.element_count_ = count;
    const size_t data_start = header_start + header_len;
    const size_t needed = a.byte_count();
    if (size - data_start < needed)
        throw DataFileError(source,
                            "truncated: shape " + shape_to_string(a.shape_) + " of '" + header.descr +
                                "' needs " + std::to_string(needed) + " data bytes, only " +
                                std::to_string(size - data_start) + " are present",
                            kNpyFormat);
    a.data_ = data + data_start;
    a.owner_ = std::move(owner);
    return a;
}

void NpyArray::require(const std::string& descr, const std::vector<int64_t>& shape) const {
    // "|u1" and "<u1" describe the same bytes; compare kind and size.
    const bool same_type = descr.size() >= 3 && descr[1] == dtype_.kind &&
                           std::stoi(descr.substr(2)) == dtype_.itemsize;
    bool same_shape = shape.empty() || shape.size() == shape_.size();
    for (size_t i = 0; same_shape && i < shape.size(); ++i)
        same_shape = shape[i] < 0 || shape[i] == shape_[i];
    if (!same_type || !same_shape) {
        std::string want = "dtype '" + descr + "'";
        if (!shape.empty()) {
            std::string s = "(";
            for (size_t i = 0; i < shape.size(); ++i)
                s += (i ? ", " : "") + (shape[i] < 0 ? std::string("any") : std::to_string(shape[i]));
            want += " and shape " + s + (shape.size() == 1 ? ",)" : ")");
        }
        throw DataFileError(source_, "array has dtype '" + dtype_.descr + "' and shape " + shape_to_string(shape_),
                            want);
    }
}

template <class T>
std::vector<T> NpyArray::to_vector() const {
    std::vector<T> out(static_cast<size_t>(element_count_));
    const int64_t n = element_count_;
    switch (dtype_.kind) {
        case 'b':
        case 'u':
            if (dtype_.itemsize == 1) convert<T, uint8_t>(data_, n, out.data());
            else if (dtype_.itemsize == 2) convert<T, uint16_t>(data_, n, out.data());
            else if (dtype_.itemsize == 4) convert<T, uint32_t>(data_, n, out.data());
            else convert<T, uint64_t>(data_, n, out.data());
            break;
        case 'i':
            if (dtype_.itemsize == 1) convert<T, int8_t>(data_, n, out.data());
            else if (dtype_.itemsize == 2) convert<T, int16_t>(data_, n, out.data());
            else if (dtype_.itemsize == 4) convert<T, int32_t>(data_, n, out.data());
            else convert<T, int64_t>(data_, n, out.data());
            break;
        default:
            if (dtype_.itemsize == 4) convert<T, float>(data_, n, out.data());
            else convert<T, double>(data_, n, out.data());
            break;
    }
    return out;
}

template std::vector<uint8_t> NpyArray::to_vector<uint8_t>() const;
template std::vector<int32_t> NpyArray::to_vector<int32_t>() const;
template std::vector<int64_t> NpyArray::to_vector<int64_t>() const;
template std::vector<float> NpyArray::to_vector<float>() const;
template std::vector<double> NpyArray::to_vector<double>() const;

NpyArray load_npy(const std::string& path) {
    std::shared_ptr<const MappedFile> file = MappedFile::open(path, kNpyFormat);
    const uint8_t* data = file->data();
    const size_t size = file->size();
    return NpyArray::parse(data, size, std::move(file), path);
}

}  // namespace idlab::images
