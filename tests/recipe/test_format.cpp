// format_diagnostic: location, source line, caret, notes and hint.
#include "recipe_files.hpp"

#include <catch2/catch.hpp>

using namespace idlab::test;
using idlab::host::Diagnostic;
using idlab::host::format_diagnostic;
using idlab::host::SourceLocation;

TEST_CASE("a diagnostic shows its line with a caret under the column", "[recipe][format]") {
    const std::string path = write_file(scratch_dir("format") / "r.toml", "[data]\nkapa = 10.0\n");
    Diagnostic d{SourceLocation{path, 2, 8}, "something about '10.0'", {"first note", "second note"},
                 "a hint"};
    CHECK(format_diagnostic(d) == path + ":2:8: error: something about '10.0'\n"
                                         " 2 | kapa = 10.0\n"
                                         "   |        ^\n"
                                         "note: first note\n"
                                         "note: second note\n"
                                         "hint: a hint\n");
}

TEST_CASE("the caret counts code points and keeps tabs, as TOML++ counts columns", "[recipe][format]") {
    const auto dir = scratch_dir("format-unicode");
    // TOML++ reports the second element at the code-point column of "true" (16; byte 17).
    const std::string path = write_file(dir / "r.toml", std::string(kPipeline) + "\tbetas = [\"é\", true]\n");
    Loaded l = load(path);
    REQUIRE(l.diagnostics.size() == 2);
    CHECK(l.diagnostics[1].where.col == 16);
    CHECK(format_diagnostic(l.diagnostics[1]) ==
          path + ":14:16: error: 'optimizer.betas[1]' expects a float, got boolean true\n"
                 " 14 | \tbetas = [\"é\", true]\n"
                 "    | \t              ^\n"
                 "note: expected a list of floats, each in [0, 1)\n");

    const std::string line = "\ttag = \"é\", 3";
    write_file(dir / "caret.toml", line + "\n");
    Diagnostic after{SourceLocation{(dir / "caret.toml").string(), 1, 12}, "m", {}, ""};
    // Columns 1..11 are: tab, t, a, g, space, =, space, ", é, ", comma.
    CHECK(format_diagnostic(after).find(" 1 | " + line + "\n   | \t          ^\n") != std::string::npos);
}

TEST_CASE("an override's source line is the override text", "[recipe][format]") {
    Diagnostic d{SourceLocation{"<cli:2>", 1, 12}, "'data.kappa' expects a float", {}, ""};
    CHECK(format_diagnostic(d, {"train.steps=1", "data.kappa=abc"}) ==
          "<cli:2>:1:12: error: 'data.kappa' expects a float\n"
          " 1 | data.kappa=abc\n"
          "   |            ^\n");
    // Without the override texts there is nothing to show but the message.
    CHECK(format_diagnostic(d) == "<cli:2>:1:12: error: 'data.kappa' expects a float\n");
}

TEST_CASE("a diagnostic without a line has no source excerpt", "[recipe][format]") {
    Diagnostic d{SourceLocation{"recipes/x.toml", 0, 0}, "missing [loss] table", {"a note"}, ""};
    CHECK(format_diagnostic(d) == "recipes/x.toml: error: missing [loss] table\nnote: a note\n");
    Diagnostic past_end{SourceLocation{"/nonexistent/x.toml", 3, 1}, "m", {}, ""};
    CHECK(format_diagnostic(past_end) == "/nonexistent/x.toml:3:1: error: m\n");
}
