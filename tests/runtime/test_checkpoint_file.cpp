// The checkpoint file: what goes in comes out, and a file that is cut short, damaged, not a
// checkpoint or of another format version is reported with exactly what is wrong.
#include "runtime/atomic_file.hpp"
#include "runtime/binary_stream.hpp"
#include "runtime/checkpoint_file.hpp"

#include <idlab/plugin.h>

#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using namespace idlab::host;

namespace {

fs::path work_dir(const std::string& name) {
    fs::path d = fs::path(RUNTIME_WORK_DIR) / name;
    fs::remove_all(d);
    fs::create_directories(d);
    return d;
}

std::vector<unsigned char> read_bytes(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::vector<unsigned char>(std::istreambuf_iterator<char>(in), {});
}

void write_bytes(const fs::path& p, const std::vector<unsigned char>& b) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

// Two stages with f32, i64 and f64 tensors, and every counter set to something recognisable.
struct Sample {
    CheckpointContents contents;
    std::vector<std::vector<unsigned char>> data;  // tensor contents, stage-major
};

CheckpointTensor tensor(TensorRole role, const std::string& name, int32_t dtype, std::vector<int64_t> shape,
                        uint64_t element_bytes) {
    CheckpointTensor t;
    t.role = role;
    t.name = name;
    t.dtype = dtype;
    t.shape = std::move(shape);
    t.bytes = element_bytes;
    for (int64_t e : t.shape) t.bytes *= static_cast<uint64_t>(e);
    return t;
}

Sample sample() {
    Sample s;
    CheckpointContents& c = s.contents;
    c.writer = "idlab test";
    c.recipe = "[train]\nsteps = 10\n";
    c.state.step = 1500;
    c.state.eval_index = 2;
    c.state.loss_sum = 0.1 + 0.2;
    c.state.loss_count = 500;
    c.state.stopped_early = true;
    c.state.best = 0;
    c.state.baseline = {{"linear_r2", 0.5}};
    c.state.evaluations = {Evaluation{1000, 1.25, {{"linear_r2", 0.75}, {"accuracy", -0.0}}}};
    c.state.seconds = 3.5;
    c.state.train_seconds = 3.0;
    c.state.checkpoint_seconds = 0.25;
    CheckpointStage encoder{"encoder", "core.mlp", "1.0.0", true, {}};
    encoder.tensors.push_back(tensor(TensorRole::parameter, "layer0.weight", IDLAB_DTYPE_F32, {3, 2}, 4));
    encoder.tensors.push_back(tensor(TensorRole::state, "bn0.running_mean", IDLAB_DTYPE_F64, {3}, 8));
    CheckpointStage optimizer{"optimizer", "core.adam", "1.0.0", true, {}};
    optimizer.tensors.push_back(tensor(TensorRole::state, "step", IDLAB_DTYPE_I64, {1}, 8));
    optimizer.tensors.push_back(tensor(TensorRole::state, "empty", IDLAB_DTYPE_F32, {0}, 4));
    c.stages = {encoder, optimizer};
    unsigned char next = 1;
    for (const CheckpointStage& st : c.stages)
        for (const CheckpointTensor& t : st.tensors) {
            std::vector<unsigned char> d(t.bytes);
            for (unsigned char& b : d) b = next++;
            s.data.push_back(d);
        }
    return s;
}

uint64_t write_sample(const fs::path& file, const Sample& s) {
    std::vector<unsigned char> staging;
    return write_checkpoint(file, s.contents,
                            [&](size_t stage, size_t index, void* host) {
                                const size_t flat = stage == 0 ? index : s.contents.stages[0].tensors.size() + index;
                                std::memcpy(host, s.data[flat].data(), s.data[flat].size());
                            },
                            staging);
}

std::string error_of(const fs::path& file) {
    try {
        read_checkpoint(file);
    } catch (const CheckpointError& e) {
        CHECK(e.file == file);
        CHECK(std::string(e.what()) == file.string() + ": " + e.problem);
        return e.problem;
    }
    FAIL("the checkpoint was read without complaint");
    return "";
}

std::string hex32(uint32_t v) {
    char buf[16];
    std::snprintf(buf, sizeof(buf), "0x%08x", v);
    return buf;
}

}  // namespace

TEST_CASE("a checkpoint file gives back everything written into it", "[runtime][checkpoint]") {
    const fs::path dir = work_dir("file-round-trip");
    const fs::path file = dir / "checkpoint.ckpt";
    const Sample s = sample();
    const uint64_t size = write_sample(file, s);
    CHECK(size == fs::file_size(file));
    CHECK_FALSE(fs::exists(AtomicFile::temporary_for(file)));

    const LoadedCheckpoint loaded = read_checkpoint(file);
    const CheckpointContents& c = loaded.contents;
    CHECK(c.writer == "idlab test");
    CHECK(c.recipe == s.contents.recipe);
    CHECK(c.state.step == 1500);
    CHECK(c.state.eval_index == 2);
    CHECK(c.state.loss_sum == 0.1 + 0.2);  // bit for bit
    CHECK(c.state.loss_count == 500);
    CHECK_FALSE(c.state.finished);
    CHECK(c.state.stopped_early);
    CHECK(c.state.best == 0);
    CHECK(c.state.baseline == s.contents.state.baseline);
    REQUIRE(c.state.evaluations.size() == 1);
    CHECK(c.state.evaluations[0].step == 1000);
    CHECK(c.state.evaluations[0].train_loss == 1.25);
    CHECK(c.state.evaluations[0].values == s.contents.state.evaluations[0].values);
    CHECK(std::signbit(c.state.evaluations[0].values[1].second));  // -0.0 stays -0.0
    CHECK(c.state.seconds == 3.5);
    CHECK(c.state.checkpoint_seconds == 0.25);
    REQUIRE(c.stages.size() == 2);
    size_t flat = 0;
    for (size_t i = 0; i < c.stages.size(); ++i) {
        const CheckpointStage& a = c.stages[i];
        const CheckpointStage& b = s.contents.stages[i];
        CHECK(a.stage == b.stage);
        CHECK(a.component == b.component);
        CHECK(a.version == b.version);
        CHECK(a.has_state == b.has_state);
        REQUIRE(a.tensors.size() == b.tensors.size());
        for (size_t k = 0; k < a.tensors.size(); ++k, ++flat) {
            const CheckpointTensor& t = a.tensors[k];
            CHECK(t.role == b.tensors[k].role);
            CHECK(t.name == b.tensors[k].name);
            CHECK(t.dtype == b.tensors[k].dtype);
            CHECK(t.shape == b.tensors[k].shape);
            REQUIRE(t.bytes == s.data[flat].size());
            CHECK(std::vector<unsigned char>(loaded.data(t), loaded.data(t) + t.bytes) == s.data[flat]);
        }
    }

    SECTION("writing again replaces the file and leaves no temporary behind") {
        Sample other = sample();
        other.contents.state.step = 2000;
        write_sample(file, other);
        CHECK(read_checkpoint(file).contents.state.step == 2000);
        CHECK_FALSE(fs::exists(AtomicFile::temporary_for(file)));
    }
}

TEST_CASE("a damaged checkpoint is reported, never loaded", "[runtime][checkpoint]") {
    const fs::path dir = work_dir("file-damage");
    const fs::path file = dir / "checkpoint.ckpt";
    write_sample(file, sample());
    std::vector<unsigned char> bytes = read_bytes(file);
    const size_t size = bytes.size();
    const std::string n = std::to_string(size);

    SECTION("a flipped byte in the body") {
        bytes[size / 2] ^= 0x01;
        write_bytes(file, bytes);
        uint32_t stored = 0;
        for (int i = 0; i < 4; ++i) stored |= static_cast<uint32_t>(bytes[size - 4 + i]) << (8 * i);
        const uint32_t computed = crc32_of(bytes.data(), size - 4);
        CHECK(error_of(file) == "checksum mismatch (stored " + hex32(stored) + ", computed " + hex32(computed) +
                                    "): the file is damaged");
    }
    SECTION("a flipped byte in the checksum") {
        bytes[size - 1] ^= 0x80;
        write_bytes(file, bytes);
        CHECK_THAT(error_of(file), Catch::StartsWith("checksum mismatch (stored 0x") &&
                                       Catch::EndsWith("): the file is damaged"));
    }
    SECTION("cut short") {
        bytes.resize(size - 1);
        write_bytes(file, bytes);
        CHECK(error_of(file) == "truncated: the file has " + std::to_string(size - 1) +
                                    " bytes, its header announces " + n);
    }
    SECTION("cut inside the header") {
        bytes.resize(20);
        write_bytes(file, bytes);
        CHECK(error_of(file) == "truncated: the file has 20 bytes, less than the 28 of an empty checkpoint");
        bytes.resize(5);
        write_bytes(file, bytes);
        CHECK(error_of(file) == "truncated: the file has 5 bytes, less than the 28 of an empty checkpoint");
    }
    SECTION("empty") {
        write_bytes(file, {});
        CHECK(error_of(file) == "the file is empty (truncated: a checkpoint has at least 28 bytes)");
    }
    SECTION("bytes after the end") {
        bytes.insert(bytes.end(), {1, 2, 3});
        write_bytes(file, bytes);
        CHECK(error_of(file) == "the file has " + std::to_string(size + 3) + " bytes, 3 more than its header announces (" +
                                    n + ")");
    }
    SECTION("a wrong magic") {
        bytes[0] = 'X';
        write_bytes(file, bytes);
        CHECK(error_of(file) == "not an idlab checkpoint: it starts with 'XDLABCKP' instead of the magic 'IDLABCKP'");
        write_bytes(file, {'{', '"', 's', 't', 'e', 'p', '"', ':', ' ', '1', '}', '\n'});
        CHECK(error_of(file) == "not an idlab checkpoint: it starts with '{\"step\":' instead of the magic 'IDLABCKP'");
    }
    SECTION("another format version") {
        bytes[8] = 2;
        write_bytes(file, bytes);
        CHECK(error_of(file) == "format version 2; this idlab reads version 1 (written by a newer idlab?)");
        bytes[8] = 0;
        write_bytes(file, bytes);
        CHECK(error_of(file) == "format version 0; this idlab reads version 1");
    }
    SECTION("no file") {
        fs::remove(file);
        CHECK(error_of(file) == "cannot open it: No such file or directory");
    }
}

TEST_CASE("an atomic write that is not committed leaves the old file as it was", "[runtime][checkpoint]") {
    const fs::path dir = work_dir("atomic");
    const fs::path file = dir / "summary.json";
    write_file_atomically(file, "old\n");
    {
        AtomicFile out(file);
        out.write("new, half written", 17);
        CHECK(fs::exists(AtomicFile::temporary_for(file)));
    }  // a failure before commit()
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    CHECK(text.str() == "old\n");
    CHECK_FALSE(fs::exists(AtomicFile::temporary_for(file)));

    SECTION("a folder that does not exist is an error naming the file") {
        const fs::path missing = dir / "no-such-folder" / "checkpoint.ckpt";
        try {
            write_sample(missing, sample());
            FAIL("wrote into a folder that does not exist");
        } catch (const std::runtime_error& e) {
            CHECK(std::string(e.what()) == "cannot create '" + AtomicFile::temporary_for(missing).string() +
                                               "': No such file or directory");
        }
    }
}
