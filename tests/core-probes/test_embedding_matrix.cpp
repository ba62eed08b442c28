// Reading a user's embeddings: float32 and float64 .npy files, .npz members chosen by name or
// by being the only one, and an error naming the file, the problem and the format for every
// file that cannot be used.
#include "data_file_error.hpp"
#include "embedding_matrix.hpp"
#include "test_files.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <vector>

using namespace idlab::test;
using idlab::probes::EmbeddingMatrix;

namespace {

std::vector<float> row_of(const EmbeddingMatrix& m, int64_t i) {
    std::vector<float> row(static_cast<size_t>(m.dim()));
    m.copy_row(i, row.data());
    return row;
}

// Loads and returns the DataFileError message (fails the test when nothing is thrown).
std::string load_error(const std::filesystem::path& path, const std::string& member = "") {
    try {
        EmbeddingMatrix::load(path.string(), member);
    } catch (const idlab::images::DataFileError& e) {
        return e.what();
    }
    FAIL("no DataFileError for " << path.string());
    return {};
}

}  // namespace

TEST_CASE("embeddings load from float32 and float64 .npy files", "[core-probes][embeddings]") {
    const auto dir = fresh_dir("embeddings_npy");
    const std::vector<float> f32 = {1.5f, -2.0f, 3.25f, 0.0f, 1e-3f, 7.0f};
    write_bytes(dir / "f32.npy", npy("<f4", "(3, 2)", bytes_of(f32)));
    const EmbeddingMatrix a = EmbeddingMatrix::load((dir / "f32.npy").string(), "");
    CHECK(a.rows() == 3);
    CHECK(a.dim() == 2);
    CHECK(row_of(a, 0) == std::vector<float>{1.5f, -2.0f});
    CHECK(row_of(a, 2) == std::vector<float>{1e-3f, 7.0f});

    const std::vector<double> f64 = {0.1, 0.2, 0.3, -1e30, 5.0, 6.0};
    write_bytes(dir / "f64.NPY", npy("<f8", "(2, 3)", bytes_of(f64)));
    const EmbeddingMatrix b = EmbeddingMatrix::load((dir / "f64.NPY").string(), "");
    CHECK(b.rows() == 2);
    CHECK(b.dim() == 3);
    CHECK(row_of(b, 0) == std::vector<float>{0.1f, 0.2f, 0.3f});
    CHECK(row_of(b, 1) == std::vector<float>{-1e30f, 5.0f, 6.0f});
}

TEST_CASE("embeddings load from an .npz member", "[core-probes][embeddings]") {
    const auto dir = fresh_dir("embeddings_npz");
    const std::vector<float> values = {1, 2, 3, 4};
    write_bytes(dir / "one.npz", npz({{"arr_0.npy", npy("<f4", "(2, 2)", bytes_of(values))}}));
    const EmbeddingMatrix only = EmbeddingMatrix::load((dir / "one.npz").string(), "");
    CHECK(only.source() == (dir / "one.npz").string() + "[arr_0]");
    CHECK(row_of(only, 1) == std::vector<float>{3, 4});

    const std::vector<int64_t> ids = {7, 8};
    write_bytes(dir / "two.npz", npz({{"ids.npy", npy("<i8", "(2,)", bytes_of(ids))},
                                      {"features.npy", npy("<f4", "(1, 4)", bytes_of(values))}}));
    const EmbeddingMatrix named = EmbeddingMatrix::load((dir / "two.npz").string(), "features");
    CHECK(named.rows() == 1);
    CHECK(row_of(named, 0) == values);
    CHECK_THAT(load_error(dir / "two.npz"),
               Catch::Contains("holds 2 arrays (ids, features); set member"));
    CHECK_THAT(load_error(dir / "two.npz", "embeddings"), Catch::Contains("no array 'embeddings'"));
    CHECK_THAT(load_error(dir / "two.npz", "ids"), Catch::Contains("dtype '<i8'"));
}

TEST_CASE("unusable embedding files give an error naming the file, the problem and the format",
          "[core-probes][embeddings]") {
    const auto dir = fresh_dir("embeddings_errors");
    const std::vector<float> six = {1, 2, 3, 4, 5, 6};
    struct Case {
        std::string file;
        Bytes bytes;
        std::string problem;
        std::string format;
    };
    Bytes truncated = npy("<f4", "(3, 2)", bytes_of(six));
    truncated.resize(truncated.size() - 5);
    std::vector<float> with_nan = six;
    with_nan[3] = std::numeric_limits<float>::quiet_NaN();
    const std::vector<double> huge = {1.0, 1e300};
    const std::vector<Case> cases = {
        {"magic.npy", Bytes{'n', 'o', 't', ' ', 'n', 'u', 'm', 'p', 'y', '!', '!', '!'}, "no .npy magic", ".npy"},
        {"truncated.npy", truncated, "truncated", ".npy"},
        {"ints.npy", npy("<i4", "(3, 2)", bytes_of(std::vector<int32_t>(6, 1))), "dtype '<i4'", "float32 or float64"},
        {"vector.npy", npy("<f4", "(6,)", bytes_of(six)), "shape (6,)", "[n, dim]"},
        {"cube.npy", npy("<f4", "(1, 3, 2)", bytes_of(six)), "shape (1, 3, 2)", "[n, dim]"},
        {"empty.npy", npy("<f4", "(0, 2)", Bytes{}), "shape (0, 2)", "[n, dim]"},
        {"nan.npy", npy("<f4", "(3, 2)", bytes_of(with_nan)), "row 1, column 1 is not finite", "float32"},
        {"huge.npy", npy("<f8", "(1, 2)", bytes_of(huge)), "row 0, column 1 does not fit in float32", "float32"},
        {"broken.npz", Bytes(40, 0), "no ZIP end-of-central-directory record", ".npz"},
        {"table.csv", Bytes{'a', '\n'}, "does not end in .npy or .npz", ".npy"},
    };
    for (const Case& c : cases) {
        INFO(c.file);
        write_bytes(dir / c.file, c.bytes);
        const std::string message = load_error(dir / c.file);
        CHECK_THAT(message, Catch::StartsWith((dir / c.file).string()));
        CHECK_THAT(message, Catch::Contains(c.problem));
        CHECK_THAT(message, Catch::Contains("(expected ") && Catch::Contains(c.format));
    }
    CHECK_THAT(load_error(dir / "absent.npy"), Catch::Contains("cannot open: No such file or directory"));
    write_bytes(dir / "plain.npy", npy("<f4", "(3, 2)", bytes_of(six)));
    CHECK_THAT(load_error(dir / "plain.npy", "features"), Catch::Contains("a .npy file holds a single array"));
}
