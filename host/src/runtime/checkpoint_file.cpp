#include "runtime/checkpoint_file.hpp"

#include "runtime/atomic_file.hpp"
#include "runtime/binary_stream.hpp"

#include <idlab/plugin.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

namespace idlab::host {

namespace fs = std::filesystem;

namespace {

constexpr uint64_t kHeaderBytes = 24;
constexpr uint32_t kMaxDims = 16;

uint64_t dtype_bytes(int32_t dtype) {
    switch (dtype) {
        case IDLAB_DTYPE_F32: return 4;
        case IDLAB_DTYPE_F64:
        case IDLAB_DTYPE_I64: return 8;
    }
    return 0;
}

std::string hex32(uint32_t v) {
    char buf[16];
    std::snprintf(buf, sizeof(buf), "0x%08x", v);
    return buf;
}

// ---------------------------------------------------------------- writing

void write_values(ByteWriter& w, const NamedValues& values) {
    w.u32(static_cast<uint32_t>(values.size()));
    for (const auto& [name, value] : values) {
        w.str(name);
        w.f64(value);
    }
}

// The body; with a counting writer `source` is not called.
void write_body(ByteWriter& w, const CheckpointContents& c, const TensorSource* source,
                std::vector<unsigned char>& staging) {
    w.str(c.writer);
    w.str(c.recipe);
    const TrainingState& s = c.state;
    w.i64(s.step);
    w.u64(s.eval_index);
    w.f64(s.loss_sum);
    w.i64(s.loss_count);
    w.u8(s.finished ? 1 : 0);
    w.u8(s.stopped_early ? 1 : 0);
    w.i64(s.best);
    w.f64(s.seconds);
    w.f64(s.train_seconds);
    w.f64(s.checkpoint_seconds);
    write_values(w, s.baseline);
    w.u32(static_cast<uint32_t>(s.evaluations.size()));
    for (const Evaluation& e : s.evaluations) {
        w.i64(e.step);
        w.f64(e.train_loss);
        write_values(w, e.values);
    }
    w.u32(static_cast<uint32_t>(c.stages.size()));
    for (size_t si = 0; si < c.stages.size(); ++si) {
        const CheckpointStage& stage = c.stages[si];
        w.str(stage.stage);
        w.str(stage.component);
        w.str(stage.version);
        w.u8(stage.has_state ? 1 : 0);
        w.u32(static_cast<uint32_t>(stage.tensors.size()));
        for (size_t ti = 0; ti < stage.tensors.size(); ++ti) {
            const CheckpointTensor& t = stage.tensors[ti];
            w.u8(static_cast<uint8_t>(t.role));
            w.str(t.name);
            w.u8(static_cast<uint8_t>(t.dtype));
            w.u32(static_cast<uint32_t>(t.shape.size()));
            for (int64_t extent : t.shape) w.i64(extent);
            w.u64(t.bytes);
            if (source && t.bytes > 0) {
                if (staging.size() < t.bytes) staging.resize(t.bytes);
                (*source)(si, ti, staging.data());
            }
            if (t.bytes > 0) w.bytes(staging.data(), t.bytes);
        }
    }
}

// ---------------------------------------------------------------- reading

NamedValues read_values(ByteReader& r) {
    NamedValues values(r.u32("a value count"));
    for (auto& [name, value] : values) {
        name = r.str("a value name");
        value = r.f64("a value");
    }
    return values;
}

void check_tensor(const CheckpointStage& stage, const CheckpointTensor& t) {
    const std::string what = "stage '" + stage.stage + "', tensor '" + t.name + "'";
    if (t.role != TensorRole::parameter && t.role != TensorRole::state)
        throw ByteReaderError(what + " has an unknown role " + std::to_string(static_cast<int>(t.role)));
    uint64_t expected = dtype_bytes(t.dtype);
    if (expected == 0) throw ByteReaderError(what + " has an unknown dtype " + std::to_string(t.dtype));
    for (int64_t extent : t.shape) {
        if (extent < 0) throw ByteReaderError(what + " has a negative extent");
        expected *= static_cast<uint64_t>(extent);
    }
    if (expected != t.bytes)
        throw ByteReaderError(what + " holds " + std::to_string(t.bytes) + " bytes, its shape needs " +
                              std::to_string(expected));
}

CheckpointContents read_body(ByteReader& r, uint64_t body_offset) {
    CheckpointContents c;
    c.writer = r.str("the writer");
    c.recipe = r.str("the recipe");
    TrainingState& s = c.state;
    s.step = r.i64("the step");
    s.eval_index = r.u64("the evaluation index");
    s.loss_sum = r.f64("the loss sum");
    s.loss_count = r.i64("the loss count");
    s.finished = r.u8("the finished flag") != 0;
    s.stopped_early = r.u8("the stopped-early flag") != 0;
    s.best = r.i64("the best evaluation");
    s.seconds = r.f64("the seconds");
    s.train_seconds = r.f64("the training seconds");
    s.checkpoint_seconds = r.f64("the checkpoint seconds");
    s.baseline = read_values(r);
    s.evaluations.resize(r.u32("the evaluation count"));
    for (Evaluation& e : s.evaluations) {
        e.step = r.i64("an evaluation step");
        e.train_loss = r.f64("an evaluation loss");
        e.values = read_values(r);
    }
    if (s.best >= static_cast<int64_t>(s.evaluations.size()) || s.best < -1)
        throw ByteReaderError("the best evaluation " + std::to_string(s.best) + " is not one of the " +
                              std::to_string(s.evaluations.size()) + " evaluations");
    c.stages.resize(r.u32("the stage count"));
    for (CheckpointStage& stage : c.stages) {
        stage.stage = r.str("a stage name");
        stage.component = r.str("a component id");
        stage.version = r.str("a component version");
        stage.has_state = r.u8("the state flag") != 0;
        stage.tensors.resize(r.u32("a tensor count"));
        for (CheckpointTensor& t : stage.tensors) {
            t.role = static_cast<TensorRole>(r.u8("a tensor role"));
            t.name = r.str("a tensor name");
            t.dtype = r.u8("a tensor dtype");
            const uint32_t ndim = r.u32("a tensor rank");
            if (ndim > kMaxDims)
                throw ByteReaderError("tensor '" + t.name + "' has " + std::to_string(ndim) + " dimensions");
            t.shape.resize(ndim);
            for (int64_t& extent : t.shape) extent = r.i64("a tensor extent");
            t.bytes = r.u64("a tensor byte count");
            check_tensor(stage, t);
            t.offset = body_offset + r.offset();
            r.bytes(t.bytes, "tensor contents");
        }
    }
    return c;
}

std::vector<unsigned char> read_whole_file(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw CheckpointError(file, std::string("cannot open it: ") + std::strerror(errno));
    in.seekg(0, std::ios::end);
    const std::streamoff size = in.tellg();
    in.seekg(0, std::ios::beg);
    std::vector<unsigned char> bytes(static_cast<size_t>(size < 0 ? 0 : size));
    if (!bytes.empty() && !in.read(reinterpret_cast<char*>(bytes.data()), size))
        throw CheckpointError(file, std::string("cannot read it: ") + std::strerror(errno));
    return bytes;
}

uint64_t get_u64(const unsigned char* p) {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(p[i]) << (8 * i);
    return v;
}

uint32_t get_u32(const unsigned char* p) {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(p[i]) << (8 * i);
    return v;
}

std::string printable_prefix(const std::vector<unsigned char>& bytes) {
    std::string s;
    for (size_t i = 0; i < bytes.size() && i < sizeof(kCheckpointMagic); ++i) {
        const unsigned char c = bytes[i];
        if (c >= 0x20 && c < 0x7f) s += static_cast<char>(c);
        else {
            char buf[8];
            std::snprintf(buf, sizeof(buf), "\\x%02x", c);
            s += buf;
        }
    }
    return s;
}

}  // namespace

const char* role_name(TensorRole role) {
    return role == TensorRole::state ? "state tensor" : "parameter";
}

CheckpointError::CheckpointError(const fs::path& file_, const std::string& problem_)
    : std::runtime_error(file_.string() + ": " + problem_), file(file_), problem(problem_) {}

uint64_t write_checkpoint(const fs::path& file, const CheckpointContents& contents,
                          const TensorSource& source, std::vector<unsigned char>& staging) {
    ByteWriter counter;
    write_body(counter, contents, nullptr, staging);
    const uint64_t body = counter.count();

    AtomicFile out(file);
    ByteWriter w([&out](const void* data, size_t n) { out.write(data, n); });
    w.bytes(kCheckpointMagic, sizeof(kCheckpointMagic));
    w.u32(kCheckpointFormatVersion);
    w.u32(0);
    w.u64(body);
    write_body(w, contents, &source, staging);
    if (w.count() != kHeaderBytes + body)
        throw std::runtime_error("checkpoint '" + file.string() + "': the body changed while it was written");
    w.u32(w.crc());
    w.flush();
    out.commit();
    return w.count();
}

LoadedCheckpoint read_checkpoint(const fs::path& file) {
    LoadedCheckpoint loaded;
    loaded.file = file;
    loaded.bytes = read_whole_file(file);
    const std::vector<unsigned char>& b = loaded.bytes;
    const uint64_t size = b.size();

    const size_t magic_seen = std::min<size_t>(b.size(), sizeof(kCheckpointMagic));
    if (std::memcmp(b.data(), kCheckpointMagic, magic_seen) != 0 || size == 0) {
        if (size == 0) throw CheckpointError(file, "the file is empty (truncated: a checkpoint has at least " +
                                                       std::to_string(kCheckpointFrameBytes) + " bytes)");
        throw CheckpointError(file, "not an idlab checkpoint: it starts with '" + printable_prefix(b) +
                                        "' instead of the magic 'IDLABCKP'");
    }
    if (size < 12)
        throw CheckpointError(file, "truncated: the file has " + std::to_string(size) +
                                        " bytes, less than the " + std::to_string(kCheckpointFrameBytes) +
                                        " of an empty checkpoint");
    const uint32_t version = get_u32(b.data() + 8);
    if (version != kCheckpointFormatVersion)
        throw CheckpointError(file, "format version " + std::to_string(version) + "; this idlab reads version " +
                                        std::to_string(kCheckpointFormatVersion) +
                                        (version > kCheckpointFormatVersion ? " (written by a newer idlab?)" : ""));
    if (size < kCheckpointFrameBytes)
        throw CheckpointError(file, "truncated: the file has " + std::to_string(size) +
                                        " bytes, less than the " + std::to_string(kCheckpointFrameBytes) +
                                        " of an empty checkpoint");
    const uint64_t body = get_u64(b.data() + 16);
    const uint64_t expected = kCheckpointFrameBytes + body;
    if (body > size || size < expected)
        throw CheckpointError(file, "truncated: the file has " + std::to_string(size) +
                                        " bytes, its header announces " + std::to_string(expected));
    if (size > expected)
        throw CheckpointError(file, "the file has " + std::to_string(size) + " bytes, " +
                                        std::to_string(size - expected) +
                                        " more than its header announces (" + std::to_string(expected) + ")");
    const uint32_t stored = get_u32(b.data() + kHeaderBytes + body);
    const uint32_t computed = crc32_of(b.data(), kHeaderBytes + body);
    if (stored != computed)
        throw CheckpointError(file, "checksum mismatch (stored " + hex32(stored) + ", computed " +
                                        hex32(computed) + "): the file is damaged");
    try {
        ByteReader r(b.data() + kHeaderBytes, body);
        loaded.contents = read_body(r, kHeaderBytes);
        if (r.remaining() != 0)
            throw ByteReaderError(std::to_string(r.remaining()) + " bytes are left over after the last stage");
    } catch (const ByteReaderError& e) {
        // The checksum matched, so the writer itself wrote this: a bug or another format.
        throw CheckpointError(file, std::string("malformed body: ") + e.what());
    }
    return loaded;
}

}  // namespace idlab::host
