#include "recipe/parse.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <functional>
#include <sstream>

namespace idlab::host::recipe_detail {

namespace {

using Locate = std::function<SourceLocation(const toml::source_position&)>;

template <typename T>
std::string stream_text(const T& value) {
    std::ostringstream out;
    out << value;
    return out.str();
}

Node convert(const toml::node& source, const Locate& locate) {
    Node node;
    node.where = locate(source.source().begin);
    switch (source.type()) {
    case toml::node_type::table: {
        node.type = Node::Type::Table;
        for (auto&& [key, value] : *source.as_table())
            node.entries.push_back(
                Entry{std::string(key.str()), locate(key.source().begin), convert(value, locate)});
        // TOML++ keeps tables sorted by key; messages should follow the file instead.
        std::stable_sort(node.entries.begin(), node.entries.end(),
                         [](const Entry& a, const Entry& b) {
                             return std::make_pair(a.key_where.line, a.key_where.col) <
                                    std::make_pair(b.key_where.line, b.key_where.col);
                         });
        break;
    }
    case toml::node_type::array:
        node.type = Node::Type::Array;
        for (const toml::node& item : *source.as_array()) node.items.push_back(convert(item, locate));
        break;
    case toml::node_type::string:
        node.type = Node::Type::String;
        node.string_value = source.as_string()->get();
        break;
    case toml::node_type::integer:
        node.type = Node::Type::Int;
        node.int_value = source.as_integer()->get();
        break;
    case toml::node_type::floating_point:
        node.type = Node::Type::Float;
        node.float_value = source.as_floating_point()->get();
        break;
    case toml::node_type::boolean:
        node.type = Node::Type::Bool;
        node.bool_value = source.as_boolean()->get();
        break;
    case toml::node_type::date:
        node.type = Node::Type::DateTime;
        node.string_value = stream_text(source.as_date()->get());
        break;
    case toml::node_type::time:
        node.type = Node::Type::DateTime;
        node.string_value = stream_text(source.as_time()->get());
        break;
    case toml::node_type::date_time:
        node.type = Node::Type::DateTime;
        node.string_value = stream_text(source.as_date_time()->get());
        break;
    case toml::node_type::none:
        break;
    }
    return node;
}

// "Error while parsing key-value pair: cannot redefine ..." reads badly after "error: ";
// keep what went wrong and where in the grammar it happened, in the lower-case style of
// every other message.
std::string syntax_message(std::string_view description) {
    constexpr std::string_view prefix = "Error while parsing ";
    std::string text(description);
    if (text.compare(0, prefix.size(), prefix) == 0) return "invalid " + text.substr(prefix.size());
    if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
    return text;
}

}  // namespace

ParsedDocument parse_document(std::string_view text, const std::string& file) {
    ParsedDocument parsed;
    Locate locate = [&file](const toml::source_position& p) {
        return SourceLocation{file, static_cast<int>(p.line), static_cast<int>(p.column)};
    };
    try {
        toml::table table = toml::parse(text, std::string_view(file));
        parsed.root = convert(table, locate);
        parsed.root->where = SourceLocation{file, 1, 1};
    } catch (const toml::parse_error& e) {
        parsed.syntax_error.where = locate(e.source().begin);
        parsed.syntax_error.message = syntax_message(e.description());
        parsed.syntax_error.notes.push_back("this is a TOML syntax error; nothing else was checked");
    }
    return parsed;
}

std::optional<Node> parse_value(std::string_view text, const SourceLocation& at) {
    // Parsed as the document "v = <text>"; the value starts in column 5 of that line.
    constexpr int value_column = 5;
    const std::string document = "v = " + std::string(text);
    Locate locate = [&at](const toml::source_position& p) {
        SourceLocation where = at;
        // Values of an override are one line; anything past it is shown at the value's start.
        if (p.line == 1 && static_cast<int>(p.column) >= value_column)
            where.col = at.col + static_cast<int>(p.column) - value_column;
        return where;
    };
    try {
        toml::table table = toml::parse(document);
        // Exactly one key: "1\nw = 2" is not one value.
        const toml::node* value = table.get("v");
        if (table.size() != 1 || !value) return std::nullopt;
        return convert(*value, locate);
    } catch (const toml::parse_error&) {
        return std::nullopt;
    }
}

}  // namespace idlab::host::recipe_detail
