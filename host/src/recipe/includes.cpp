#include "recipe/includes.hpp"

#include "recipe/layout.hpp"
#include "recipe/parse.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace idlab::host::recipe_detail {

namespace fs = std::filesystem;

namespace {

// Why a file cannot be read as a recipe, or "" when it can.
std::string unreadable_reason(const fs::path& file) {
    std::error_code ec;
    if (!fs::exists(file, ec)) return "no such file";
    if (fs::is_directory(file, ec)) return "it is a directory";
    std::ifstream in(file);
    if (!in) return "it cannot be opened for reading";
    return "";
}

std::string read_text(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// One file being read, for the cycle check and the message that shows the cycle.
struct OpenFile {
    fs::path identity;   // canonical: the same file reached by two spellings is one file
    std::string shown;   // as the user would write it
};

class IncludeReader {
public:
    explicit IncludeReader(std::vector<Diagnostic>& diagnostics) : diagnostics_(diagnostics) {}

    // Reads `shown` and its includes. `included_at` is the include entry that named it
    // (null for the recipe itself).
    std::optional<Node> read(const std::string& shown, const SourceLocation* included_at) {
        const std::string why = unreadable_reason(shown);
        if (!why.empty()) {
            report_unreadable(shown, why, included_at);
            return std::nullopt;
        }
        if (std::find(files_.begin(), files_.end(), shown) == files_.end()) files_.push_back(shown);

        ParsedDocument parsed = parse_document(read_text(shown), shown);
        if (!parsed.root) {
            stop_with(parsed.syntax_error);
            return std::nullopt;
        }
        Node own = std::move(*parsed.root);
        Node merged;
        merged.where = own.where;
        if (const Entry* include = own.find(kIncludeKey)) {
            open_.push_back(OpenFile{identity_of(shown), shown});
            Node list = include->value;
            own.erase(kIncludeKey);
            merge_includes(shown, list, merged);
            open_.pop_back();
            if (stopped_) return std::nullopt;
        }
        merge_into(merged, std::move(own));
        return merged;
    }

    bool stopped() const { return stopped_; }
    bool complete() const { return complete_; }
    const std::vector<std::string>& files() const { return files_; }

private:
    static fs::path identity_of(const std::string& shown) {
        std::error_code ec;
        fs::path p = fs::weakly_canonical(shown, ec);
        return ec ? fs::absolute(shown).lexically_normal() : p;
    }

    // Fragments named by `list` (the value of `include` in `including`), merged in order.
    void merge_includes(const std::string& including, const Node& list, Node& merged) {
        if (!list.is_array()) {
            complete_ = false;
            report(list.where, "'include' expects a list of file paths, got " + describe(list),
                   {"write include = [\"base/fragment.toml\"]"});
            return;
        }
        for (size_t i = 0; i < list.items.size() && !stopped_; ++i) {
            const Node& item = list.items[i];
            if (item.type != Node::Type::String) {
                complete_ = false;
                report(item.where, "'include[" + std::to_string(i) + "]' expects a file path, got " +
                                       describe(item), {});
                continue;
            }
            const std::string shown = resolve(including, item.string_value);
            if (closes_cycle(shown, item.where)) continue;
            if (std::optional<Node> fragment = read(shown, &item.where))
                merge_into(merged, std::move(*fragment));
        }
    }

    // Paths in `include` are relative to the including file; absolute ones are kept.
    static std::string resolve(const std::string& including, const std::string& written) {
        fs::path target(written);
        if (target.is_relative()) target = fs::path(including).parent_path() / target;
        return target.lexically_normal().string();
    }

    bool closes_cycle(const std::string& shown, const SourceLocation& at) {
        const fs::path identity = identity_of(shown);
        auto start = std::find_if(open_.begin(), open_.end(),
                                  [&](const OpenFile& f) { return f.identity == identity; });
        if (start == open_.end()) return false;
        std::string chain;
        for (auto it = start; it != open_.end(); ++it) chain += "'" + it->shown + "' -> ";
        chain += "'" + shown + "'";
        report(at, "include cycle: " + chain,
               {"a file cannot include itself, directly or through other files"});
        return true;
    }

    void report_unreadable(const std::string& shown, const std::string& why,
                           const SourceLocation* included_at) {
        if (!included_at) {
            // The recipe itself: nothing else can be checked.
            stop_with(Diagnostic{SourceLocation{shown, 0, 0}, "cannot read the recipe: " + why, {}, ""});
            return;
        }
        complete_ = false;
        report(*included_at, "cannot read included file '" + shown + "': " + why,
               {"include paths are relative to the file that includes them"});
    }

    void report(const SourceLocation& at, std::string message, std::vector<std::string> notes) {
        diagnostics_.push_back(Diagnostic{at, std::move(message), std::move(notes), ""});
    }

    // A syntax error (or an unreadable recipe) is the single diagnostic: whatever else was
    // found may be a consequence of it.
    void stop_with(Diagnostic d) {
        diagnostics_.clear();
        diagnostics_.push_back(std::move(d));
        stopped_ = true;
    }

    std::vector<Diagnostic>& diagnostics_;
    std::vector<OpenFile> open_;
    std::vector<std::string> files_;
    bool stopped_ = false;
    bool complete_ = true;
};

}  // namespace

ReadRecipe read_with_includes(const std::string& path, std::vector<Diagnostic>& diagnostics) {
    IncludeReader reader(diagnostics);
    ReadRecipe result;
    std::optional<Node> root = reader.read(path, nullptr);
    if (!reader.stopped()) result.root = std::move(root);
    result.files = reader.files();
    result.complete = reader.complete();
    return result;
}

}  // namespace idlab::host::recipe_detail
