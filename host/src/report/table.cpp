#include "report/table.hpp"

#include <algorithm>

namespace idlab::host {

std::string display_value(const std::string& t) {
    if (t.size() >= 2 && (t.front() == '"' || t.front() == '\'') && t.back() == t.front())
        return t.substr(1, t.size() - 2);
    return t;
}

ReportTable build_table(const ReportData& data) {
    ReportTable table;
    table.value_names = data.value_names;
    const bool several = data.sweeps.size() > 1;
    const bool plain = std::any_of(data.sweeps.begin(), data.sweeps.end(),
                                   [](const SweepSource& s) { return s.axes.empty(); });
    if (several) table.key_columns.push_back("sweep");
    for (const std::string& k : data.axis_keys) table.key_columns.push_back(k);
    if (plain && (data.axis_keys.empty() || several)) table.key_columns.push_back("configuration");

    for (size_t c = 0; c < data.configurations.size(); ++c) {
        const Configuration& config = data.configurations[c];
        std::vector<std::string> keys;
        if (several) keys.push_back(config.sweep);
        for (const std::string& k : data.axis_keys) {
            auto it = std::find_if(config.values.begin(), config.values.end(),
                                   [&](const auto& kv) { return kv.first == k; });
            keys.push_back(it == config.values.end() ? "–" : display_value(it->second));
        }
        if (table.key_columns.size() > keys.size()) keys.push_back(config.values.empty() ? config.name : "");

        TableRow row;
        row.configuration = c;
        row.planned = config.runs.size();
        for (size_t r : config.runs)
            if (data.runs[r].status.state == JobState::Done) ++row.completed;
        for (const std::string& name : data.value_names) {
            std::vector<double> values;
            for (size_t r : config.runs) {
                const RunResult& run = data.runs[r];
                if (run.status.state != JobState::Done) continue;
                for (const auto& [k, v] : run.final_values)
                    if (k == name) values.push_back(v);
            }
            row.cells.push_back(spread_of(values));
        }
        table.keys.push_back(std::move(keys));
        table.rows.push_back(std::move(row));
    }
    return table;
}

std::string seeds_text(const TableRow& row) {
    if (row.completed == row.planned) return std::to_string(row.completed);
    return std::to_string(row.completed) + " of " + std::to_string(row.planned);
}

namespace {

std::string markdown_cell(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == '|') out += "\\|";
        else if (c == '\n') out += ' ';
        else out += c;
    }
    return out;
}

std::string csv_field(const std::string& s) {
    if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

}  // namespace

std::string table_note(const ValueFormat& format) {
    std::string words;
    for (size_t i = 0; i < format.percent.size(); ++i)
        words += (i == 0 ? "" : i + 1 == format.percent.size() ? " or " : ", ") + format.percent[i];
    return "Each cell: the mean over the completed seeds ± their standard deviation (n − 1), of the last "
           "evaluation. Values named with " + words +
           " (R², MCC, accuracy): the mean in percent and the ± on the 0–1 scale, as the paper prints "
           "them; other values as they are.";
}

std::string markdown_table(const ReportTable& t, const ValueFormat& format) {
    std::string out = "|";
    for (const std::string& k : t.key_columns) out += " " + markdown_cell(k) + " |";
    out += " seeds |";
    for (const std::string& v : t.value_names) out += " " + markdown_cell(format.axis_label(v)) + " |";
    out += "\n|";
    for (size_t i = 0; i < t.key_columns.size() + 1 + t.value_names.size(); ++i) out += "---|";
    out += "\n";
    for (size_t r = 0; r < t.rows.size(); ++r) {
        out += "|";
        for (const std::string& k : t.keys[r]) out += " " + markdown_cell(k) + " |";
        out += " " + seeds_text(t.rows[r]) + " |";
        for (size_t v = 0; v < t.value_names.size(); ++v)
            out += " " + format.cell(t.value_names[v], t.rows[r].cells[v]) + " |";
        out += "\n";
    }
    return out;
}

std::string csv_table(const ReportData& data, const ReportTable& t, const ValueFormat& format) {
    std::string out = "sweep,configuration";
    for (const std::string& k : data.axis_keys) out += "," + csv_field(k);
    out += ",value,n,mean,std,min,max,shown\n";
    for (size_t r = 0; r < t.rows.size(); ++r) {
        const Configuration& config = data.configurations[t.rows[r].configuration];
        for (size_t v = 0; v < t.value_names.size(); ++v) {
            const Spread& s = t.rows[r].cells[v];
            out += csv_field(config.sweep) + "," + csv_field(config.name);
            for (const std::string& k : data.axis_keys) {
                auto it = std::find_if(config.values.begin(), config.values.end(),
                                       [&](const auto& kv) { return kv.first == k; });
                out += "," + csv_field(it == config.values.end() ? "" : display_value(it->second));
            }
            out += "," + csv_field(t.value_names[v]) + "," + std::to_string(s.n);
            if (s.n > 0)
                out += "," + exact_number(s.mean) + "," + exact_number(s.std) + "," + exact_number(s.min) + "," +
                       exact_number(s.max);
            else
                out += ",,,,";
            out += "," + csv_field(format.cell(t.value_names[v], s)) + "\n";
        }
    }
    return out;
}

}  // namespace idlab::host
