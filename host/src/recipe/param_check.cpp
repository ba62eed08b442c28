#include "recipe/param_check.hpp"

#include "recipe/parse.hpp"
#include "recipe/suggest.hpp"
#include "recipe/toml_text.hpp"


namespace idlab::host::recipe_detail {

namespace {

bool is_list(int32_t type) { return type == IDLAB_PARAM_INT_LIST || type == IDLAB_PARAM_FLOAT_LIST; }

// The element type of a list type, the type itself otherwise.
int32_t element_type(int32_t type) {
    if (type == IDLAB_PARAM_INT_LIST) return IDLAB_PARAM_INT;
    if (type == IDLAB_PARAM_FLOAT_LIST) return IDLAB_PARAM_FLOAT;
    return type;
}

std::string type_phrase(int32_t type) {
    switch (type) {
    case IDLAB_PARAM_BOOL: return "a boolean";
    case IDLAB_PARAM_INT: return "an integer";
    case IDLAB_PARAM_FLOAT: return "a float";
    case IDLAB_PARAM_STRING: return "a string";
    case IDLAB_PARAM_INT_LIST: return "a list of integers";
    case IDLAB_PARAM_FLOAT_LIST: return "a list of floats";
    }
    return "a value";
}

// "> 0", ">= 1", "<= 1", "in (0, 1]"; "" when unbounded.
std::string range_text(const idlab_param_spec_t& spec) {
    const bool has_min = spec.range_flags & IDLAB_RANGE_MIN;
    const bool has_max = spec.range_flags & IDLAB_RANGE_MAX;
    const bool min_open = spec.range_flags & IDLAB_RANGE_MIN_EXCLUSIVE;
    const bool max_open = spec.range_flags & IDLAB_RANGE_MAX_EXCLUSIVE;
    if (has_min && has_max)
        return std::string("in ") + (min_open ? "(" : "[") + format_bound(spec.min) + ", " +
               format_bound(spec.max) + (max_open ? ")" : "]");
    if (has_min) return (min_open ? "> " : ">= ") + format_bound(spec.min);
    if (has_max) return (max_open ? "< " : "<= ") + format_bound(spec.max);
    return "";
}

bool in_range(double v, const idlab_param_spec_t& spec) {
    // Written as negations of the allowed comparisons, so NaN is out of every range.
    if (spec.range_flags & IDLAB_RANGE_MIN) {
        const bool ok = (spec.range_flags & IDLAB_RANGE_MIN_EXCLUSIVE) ? v > spec.min : v >= spec.min;
        if (!ok) return false;
    }
    if (spec.range_flags & IDLAB_RANGE_MAX) {
        const bool ok = (spec.range_flags & IDLAB_RANGE_MAX_EXCLUSIVE) ? v < spec.max : v <= spec.max;
        if (!ok) return false;
    }
    return true;
}

std::vector<std::string> split_choices(const char* choices) {
    std::vector<std::string> out;
    if (!choices) return out;
    std::string current;
    for (const char* c = choices; *c; ++c) {
        if (*c == '|') {
            out.push_back(current);
            current.clear();
        } else {
            current += *c;
        }
    }
    out.push_back(current);
    return out;
}

// "\"label\" or \"index\"", "one of \"a\", \"b\", \"c\""
std::string choices_text(const std::vector<std::string>& choices) {
    std::vector<std::string> quoted;
    for (const std::string& c : choices) quoted.push_back(quote_string(c));
    if (quoted.size() == 2) return quoted[0] + " or " + quoted[1];
    return "one of " + join(quoted);
}

// The value as written, without its type word: -0.001, 3, "abc".
std::string value_text(const Node& value) {
    std::string d = describe(value);
    size_t space = d.find(' ');
    return space == std::string::npos ? d : d.substr(space + 1);
}

// Reads a scalar of `type` from `value`; false when the TOML type does not fit.
bool read_scalar(const Node& value, int32_t type, ParamValue& out, double& number) {
    switch (type) {
    case IDLAB_PARAM_BOOL:
        if (value.type != Node::Type::Bool) return false;
        out.bool_value = value.bool_value;
        return true;
    case IDLAB_PARAM_INT:
        if (value.type != Node::Type::Int) return false;
        out.int_value = value.int_value;
        number = static_cast<double>(value.int_value);
        return true;
    case IDLAB_PARAM_FLOAT:
        if (value.type == Node::Type::Int) number = static_cast<double>(value.int_value);
        else if (value.type == Node::Type::Float) number = value.float_value;
        else return false;
        out.float_value = number;
        return true;
    case IDLAB_PARAM_STRING:
        if (value.type != Node::Type::String) return false;
        out.string_value = value.string_value;
        return true;
    }
    return false;
}

class ParamChecker {
public:
    ParamChecker(const idlab_param_spec_t& spec, const std::string& name,
                 std::vector<Diagnostic>& diagnostics)
        : spec_(spec), name_(name), diagnostics_(diagnostics) {}

    std::optional<ParamValue> check(const Node& value) {
        ParamValue out;
        out.key = spec_.name;
        out.type = spec_.type;
        out.where = value.where;
        const size_t errors_before = diagnostics_.size();
        if (is_list(spec_.type)) check_list(value, out);
        else check_element(value, name_, spec_.type, out);
        if (diagnostics_.size() != errors_before) return std::nullopt;
        return out;
    }

private:
    void check_list(const Node& value, ParamValue& out) {
        if (!value.is_array()) {
            type_error(value, name_, spec_.type);
            return;
        }
        const int32_t type = element_type(spec_.type);
        for (size_t i = 0; i < value.items.size(); ++i) {
            ParamValue element;
            if (!check_element(value.items[i], name_ + "[" + std::to_string(i) + "]", type, element))
                continue;
            if (type == IDLAB_PARAM_INT) out.int_list.push_back(element.int_value);
            else out.float_list.push_back(element.float_value);
        }
    }

    bool check_element(const Node& value, const std::string& name, int32_t type, ParamValue& out) {
        double number = 0.0;
        if (!read_scalar(value, type, out, number)) {
            type_error(value, name, type);
            return false;
        }
        if ((type == IDLAB_PARAM_INT || type == IDLAB_PARAM_FLOAT) && !in_range(number, spec_)) {
            report(value, "'" + name + "' must be " + range_text(spec_) + ", got " + value_text(value),
                   {"expected " + expectation(spec_)}, "");
            return false;
        }
        if (type == IDLAB_PARAM_STRING && spec_.choices) {
            std::vector<std::string> choices = split_choices(spec_.choices);
            bool allowed = false;
            for (const std::string& c : choices) allowed = allowed || c == out.string_value;
            if (!allowed) {
                std::vector<std::string> notes;
                if (auto guess = closest_match(out.string_value, choices))
                    notes.push_back("did you mean " + quote_string(*guess) + "?");
                report(value, "'" + name + "' must be " + choices_text(choices) + ", got " +
                                  value_text(value), std::move(notes), "");
                return false;
            }
        }
        return true;
    }

    void type_error(const Node& value, const std::string& name, int32_t type) {
        std::vector<std::string> notes;
        // The type alone is in the message; say more only when there is more to say.
        if (!range_text(spec_).empty() || spec_.choices) notes.push_back("expected " + expectation(spec_));
        report(value, "'" + name + "' expects " + type_phrase(type) + ", got " + describe(value),
               std::move(notes), quotes_hint(value, type));
    }

    // kappa = "10" or batch_norm = "true": the value is right, the quotes are not.
    static std::string quotes_hint(const Node& value, int32_t type) {
        if (value.type != Node::Type::String || type == IDLAB_PARAM_STRING) return "";
        std::optional<Node> unquoted = parse_value(value.string_value, value.where);
        if (!unquoted) return "";
        ParamValue ignored;
        double number = 0.0;
        if (is_list(type)) {
            if (!unquoted->is_array()) return "";
            for (const Node& item : unquoted->items)
                if (!read_scalar(item, element_type(type), ignored, number)) return "";
        } else if (!read_scalar(*unquoted, type, ignored, number)) {
            return "";
        }
        return "remove the quotes: " + value.string_value;
    }

    void report(const Node& value, std::string message, std::vector<std::string> notes,
                std::string hint) {
        diagnostics_.push_back(
            Diagnostic{value.where, std::move(message), std::move(notes), std::move(hint)});
    }

    const idlab_param_spec_t& spec_;
    const std::string& name_;
    std::vector<Diagnostic>& diagnostics_;
};

}  // namespace

std::optional<ParamValue> check_param(const Node& value, const idlab_param_spec_t& spec,
                                      const std::string& name, std::vector<Diagnostic>& diagnostics) {
    return ParamChecker(spec, name, diagnostics).check(value);
}

std::string expectation(const idlab_param_spec_t& spec) {
    if (spec.type == IDLAB_PARAM_STRING && spec.choices) return choices_text(split_choices(spec.choices));
    std::string text = type_phrase(spec.type);
    const std::string range = range_text(spec);
    if (!range.empty()) text += (is_list(spec.type) ? ", each " : " ") + range;
    return text;
}

}  // namespace idlab::host::recipe_detail
