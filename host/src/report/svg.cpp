#include "report/svg.hpp"

#include <cmath>
#include <cstdio>

namespace idlab::host {

std::string xml_escape(std::string_view s) {
    std::string out;
    for (char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: out += c;
        }
    }
    return out;
}

std::string svg_number(double v) {
    if (!std::isfinite(v)) return "0";
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%.2f", v);
    std::string s = buf;
    while (!s.empty() && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
    if (s == "-0") s = "0";
    return s;
}

Svg::Svg(double width, double height, const std::string& title) : width_(width), height_(height), title_(title) {}

void Svg::rect(double x, double y, double w, double h, const std::string& fill, const std::string& stroke,
               double opacity) {
    body_ += "<rect x=\"" + svg_number(x) + "\" y=\"" + svg_number(y) + "\" width=\"" + svg_number(w) +
             "\" height=\"" + svg_number(h) + "\" fill=\"" + xml_escape(fill) + "\"";
    if (!stroke.empty()) body_ += " stroke=\"" + xml_escape(stroke) + "\"";
    if (opacity < 1.0) body_ += " fill-opacity=\"" + svg_number(opacity) + "\"";
    body_ += "/>\n";
}

void Svg::line(double x1, double y1, double x2, double y2, const std::string& stroke, double width,
               const std::string& dash) {
    body_ += "<line x1=\"" + svg_number(x1) + "\" y1=\"" + svg_number(y1) + "\" x2=\"" + svg_number(x2) +
             "\" y2=\"" + svg_number(y2) + "\" stroke=\"" + xml_escape(stroke) + "\" stroke-width=\"" +
             svg_number(width) + "\"";
    if (!dash.empty()) body_ += " stroke-dasharray=\"" + xml_escape(dash) + "\"";
    body_ += "/>\n";
}

namespace {
std::string points_text(const std::vector<std::pair<double, double>>& points) {
    std::string s;
    for (const auto& [x, y] : points) s += (s.empty() ? "" : " ") + svg_number(x) + "," + svg_number(y);
    return s;
}
}  // namespace

void Svg::polyline(const std::vector<std::pair<double, double>>& points, const std::string& stroke, double width,
                   const std::string& dash) {
    body_ += "<polyline fill=\"none\" stroke=\"" + xml_escape(stroke) + "\" stroke-width=\"" + svg_number(width) +
             "\" stroke-linejoin=\"round\"";
    if (!dash.empty()) body_ += " stroke-dasharray=\"" + xml_escape(dash) + "\"";
    body_ += " points=\"" + points_text(points) + "\"/>\n";
}

void Svg::polygon(const std::vector<std::pair<double, double>>& points, const std::string& fill, double opacity) {
    body_ += "<polygon fill=\"" + xml_escape(fill) + "\" fill-opacity=\"" + svg_number(opacity) +
             "\" stroke=\"none\" points=\"" + points_text(points) + "\"/>\n";
}

void Svg::circle(double cx, double cy, double r, const std::string& fill) {
    body_ += "<circle cx=\"" + svg_number(cx) + "\" cy=\"" + svg_number(cy) + "\" r=\"" + svg_number(r) +
             "\" fill=\"" + xml_escape(fill) + "\"/>\n";
}

void Svg::text(double x, double y, const std::string& text, double size, const std::string& anchor,
               const std::string& fill, double rotate, bool bold) {
    body_ += "<text x=\"" + svg_number(x) + "\" y=\"" + svg_number(y) + "\" font-size=\"" + svg_number(size) +
             "\" text-anchor=\"" + xml_escape(anchor) + "\" fill=\"" + xml_escape(fill) + "\"";
    if (bold) body_ += " font-weight=\"bold\"";
    if (rotate != 0)
        body_ += " transform=\"rotate(" + svg_number(rotate) + " " + svg_number(x) + " " + svg_number(y) + ")\"";
    body_ += ">" + xml_escape(text) + "</text>\n";
}

void Svg::begin_group(const std::string& tooltip) { body_ += "<g><title>" + xml_escape(tooltip) + "</title>\n"; }

void Svg::end_group() { body_ += "</g>\n"; }

std::string Svg::str() const {
    return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + svg_number(width_) + "\" height=\"" +
           svg_number(height_) + "\" viewBox=\"0 0 " + svg_number(width_) + " " + svg_number(height_) +
           "\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" role=\"img\">\n<title>" +
           xml_escape(title_) + "</title>\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n" + body_ + "</svg>\n";
}

}  // namespace idlab::host
