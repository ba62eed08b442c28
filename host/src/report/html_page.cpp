#include "report/html_page.hpp"

#include "report/svg.hpp"

namespace idlab::host {

namespace {

const char* kStyle =
    "body{font-family:'DejaVu Sans',Helvetica,Arial,sans-serif;margin:2em auto;max-width:1200px;color:#222;"
    "padding:0 1em}"
    "h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em}"
    "table.results{border-collapse:collapse;font-size:0.9em}"
    "table.results th,table.results td{border:1px solid #ccc;padding:4px 10px;text-align:right}"
    "table.results th{background:#f2f2f2}table.results td.key{text-align:left}"
    "p.note{color:#555;font-size:0.85em;max-width:60em}"
    "figure{margin:1.5em 0}figcaption{font-size:0.9em;color:#444}"
    "pre{background:#f6f6f6;padding:0.6em;font-size:0.8em;overflow-x:auto}";

}  // namespace

std::string html_page(const std::string& title, const std::string& overview, const ReportTable& table,
                      const ValueFormat& format, const std::vector<Figure>& figures,
                      const std::vector<UnfinishedRun>& unfinished) {
    std::string h = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" +
                    xml_escape(title) + "</title>\n<style>" + kStyle + "</style>\n</head>\n<body>\n";
    h += "<h1>" + xml_escape(title) + "</h1>\n<p>" + xml_escape(overview) + "</p>\n";
    h += "<p>Files: <a href=\"table.md\">table.md</a>, <a href=\"table.csv\">table.csv</a>";
    for (const Figure& f : figures) h += ", <a href=\"" + xml_escape(f.file) + "\">" + xml_escape(f.file) + "</a>";
    h += "</p>\n";

    h += "<h2>Results</h2>\n<table class=\"results\" id=\"results\">\n<thead><tr>";
    for (const std::string& k : table.key_columns) h += "<th>" + xml_escape(k) + "</th>";
    h += "<th>seeds</th>";
    for (const std::string& v : table.value_names) h += "<th>" + xml_escape(format.axis_label(v)) + "</th>";
    h += "</tr></thead>\n<tbody>\n";
    for (size_t r = 0; r < table.rows.size(); ++r) {
        h += "<tr>";
        for (const std::string& k : table.keys[r]) h += "<td class=\"key\">" + xml_escape(k) + "</td>";
        h += "<td>" + xml_escape(seeds_text(table.rows[r])) + "</td>";
        for (size_t v = 0; v < table.value_names.size(); ++v)
            h += "<td>" + xml_escape(format.cell(table.value_names[v], table.rows[r].cells[v])) + "</td>";
        h += "</tr>\n";
    }
    h += "</tbody>\n</table>\n<p class=\"note\">" + xml_escape(table_note(format)) + "</p>\n";

    for (const char* kind : {"heatmap", "curves"}) {
        bool heading = false;
        for (const Figure& f : figures) {
            if (f.kind != kind) continue;
            if (!heading) {
                h += std::string("<h2>") + (f.kind == "heatmap" ? "Grids" : "Curves") + "</h2>\n";
                heading = true;
            }
            h += "<figure class=\"" + xml_escape(f.kind) + "\">\n" + f.svg + "<figcaption>" + xml_escape(f.title) +
                 " (<a href=\"" + xml_escape(f.file) + "\">" + xml_escape(f.file) + "</a>)</figcaption>\n</figure>\n";
        }
    }

    if (!unfinished.empty()) {
        h += "<h2>Runs not in the table</h2>\n<ul>\n";
        for (const UnfinishedRun& u : unfinished) {
            h += "<li><b>" + xml_escape(u.state) + "</b> " + xml_escape(u.sweep) + "/" + xml_escape(u.dir);
            if (!u.last_lines.empty()) {
                h += "<pre>";
                for (const std::string& l : u.last_lines) h += xml_escape(l) + "\n";
                h += "</pre>";
            }
            h += "</li>\n";
        }
        h += "</ul>\n";
    }
    h += "</body>\n</html>\n";
    return h;
}

}  // namespace idlab::host
