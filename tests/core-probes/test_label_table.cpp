// Reading a CSV label table: integer columns under a header, the tolerated variations (spaces,
// quotes, Windows line ends, a byte order mark, blank lines), and an error naming the file, the
// line and the column for everything else.
#include "data_file_error.hpp"
#include "label_table.hpp"
#include "test_files.hpp"

#include <catch2/catch.hpp>

#include <limits>

using namespace idlab::test;
using idlab::probes::LabelTable;
using idlab::probes::read_label_table;

namespace {

std::string table_error(const std::filesystem::path& path) {
    try {
        read_label_table(path.string());
    } catch (const idlab::images::DataFileError& e) {
        return e.what();
    }
    FAIL("no DataFileError for " << path.string());
    return {};
}

}  // namespace

TEST_CASE("a label table reads integer columns under its header", "[core-probes][labels]") {
    const auto dir = fresh_dir("labels_ok");
    write_text(dir / "labels.csv", "class,background,texture\n417,0,1\n3,1,0\n999,0,-2\n");
    const LabelTable t = read_label_table((dir / "labels.csv").string());
    REQUIRE(t.rows == 3);
    REQUIRE(t.columns.size() == 3);
    CHECK(t.columns[0].name == "class");
    CHECK(t.columns[0].values == std::vector<int64_t>{417, 3, 999});
    CHECK(t.columns[0].min == 3);
    CHECK(t.columns[0].max == 999);
    CHECK(t.columns[2].values == std::vector<int64_t>{1, 0, -2});
    CHECK(t.columns[2].min == -2);
}

TEST_CASE("a label table tolerates spaces, quotes, CRLF, a byte order mark and blank lines", "[core-probes][labels]") {
    const auto dir = fresh_dir("labels_variants");
    write_text(dir / "labels.csv",
               "\xEF\xBB\xBF\"pose\" , shape\r\n +1, -0\r\n\r\n 9223372036854775807 ,-9223372036854775808\r\n\n");
    const LabelTable t = read_label_table((dir / "labels.csv").string());
    REQUIRE(t.rows == 2);
    CHECK(t.columns[0].name == "pose");
    CHECK(t.columns[1].name == "shape");
    CHECK(t.columns[0].values == std::vector<int64_t>{1, std::numeric_limits<int64_t>::max()});
    CHECK(t.columns[1].values == std::vector<int64_t>{0, std::numeric_limits<int64_t>::min()});
}

TEST_CASE("an unusable label table gives an error naming the file, line and column", "[core-probes][labels]") {
    const auto dir = fresh_dir("labels_errors");
    struct Case {
        std::string file, text, problem;
    };
    const std::vector<Case> cases = {
        {"empty.csv", "", "no header line: the file is empty or blank"},
        {"blank.csv", "\n \n", "no header line"},
        {"header_only.csv", "a,b\n", "the header is followed by no data line"},
        {"pandas_index.csv", ",a,b\n0,1,2\n", "line 1, column 1: the header has an empty column name"},
        {"repeated.csv", "a,b,a\n1,2,3\n", "line 1, column 3: column name 'a' appears twice"},
        {"short_line.csv", "a,b\n1,2\n3\n", "line 3 has 1 cells, the header names 2 columns"},
        {"long_line.csv", "a,b\n1,2,3\n", "line 2 has 3 cells"},
        {"float.csv", "a,b\n1,2\n3,4.0\n", "line 3, column 2 ('b'): '4.0' is not an integer"},
        {"word.csv", "a,b\n1,yes\n", "line 2, column 2 ('b'): 'yes' is not an integer"},
        {"empty_cell.csv", "a,b\n1,\n", "line 2, column 2 ('b'): '' is not an integer"},
        {"overflow.csv", "a\n9223372036854775808\n", "line 2, column 1 ('a'): '9223372036854775808' is not an integer"},
        {"sign_only.csv", "a\n-\n", "'-' is not an integer"},
    };
    for (const Case& c : cases) {
        INFO(c.file);
        write_text(dir / c.file, c.text);
        const std::string message = table_error(dir / c.file);
        CHECK_THAT(message, Catch::StartsWith((dir / c.file).string() + ": "));
        CHECK_THAT(message, Catch::Contains(c.problem));
        CHECK_THAT(message, Catch::Contains("(expected a CSV label table"));
    }
    CHECK_THAT(table_error(dir / "absent.csv"), Catch::Contains("cannot open: No such file or directory"));
}
