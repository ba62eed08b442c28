// format_diagnostic: compiler-style text for one diagnostic.
#include "recipe/recipe.hpp"

#include <fstream>

namespace idlab::host {

namespace {

// The text of the override "<cli:N>", or of line `line` of a file; nullopt when unavailable.
std::optional<std::string> source_line(const SourceLocation& where,
                                       const std::vector<std::string>& overrides) {
    if (where.line <= 0) return std::nullopt;
    const std::string cli = "<cli:";
    if (where.file.compare(0, cli.size(), cli) == 0) {
        size_t index = 0;
        try {
            index = std::stoul(where.file.substr(cli.size()));
        } catch (const std::exception&) {
            return std::nullopt;
        }
        if (index == 0 || index > overrides.size()) return std::nullopt;
        return overrides[index - 1];
    }
    std::ifstream in(where.file, std::ios::binary);
    std::string text;
    for (int n = 1; std::getline(in, text); ++n) {
        if (n < where.line) continue;
        if (!text.empty() && text.back() == '\r') text.pop_back();
        return text;
    }
    return std::nullopt;
}

bool starts_code_point(char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }

// Spaces up to column `col` (1-based code points, as TOML++ counts), keeping tabs so the
// caret lines up with the source line above it.
std::string caret_line(const std::string& line, int col) {
    std::string out;
    int column = 1;
    for (size_t i = 0; i < line.size() && column < col; ++i) {
        if (!starts_code_point(line[i])) continue;
        out += line[i] == '\t' ? '\t' : ' ';
        ++column;
    }
    // A column past the end of the line (an error at the end of input) still gets its caret.
    for (; column < col; ++column) out += ' ';
    return out + "^";
}

}  // namespace

std::string format_diagnostic(const Diagnostic& d, const std::vector<std::string>& overrides) {
    std::string out = d.where.file;
    if (d.where.line > 0) {
        out += ":" + std::to_string(d.where.line);
        if (d.where.col > 0) out += ":" + std::to_string(d.where.col);
    }
    out += ": error: " + d.message + "\n";
    if (std::optional<std::string> line = source_line(d.where, overrides)) {
        const std::string number = std::to_string(d.where.line);
        const std::string gutter(number.size(), ' ');
        out += " " + number + " | " + *line + "\n";
        if (d.where.col > 0) out += " " + gutter + " | " + caret_line(*line, d.where.col) + "\n";
    }
    for (const std::string& note : d.notes) out += "note: " + note + "\n";
    if (!d.hint.empty()) out += "hint: " + d.hint + "\n";
    return out;
}

}  // namespace idlab::host
