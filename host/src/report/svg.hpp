// A small SVG writer: the shapes the report's plots need, text escaped, numbers rounded to
// what a screen can show. The result is a standalone file and can be inlined in HTML.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace idlab::host {

// Escapes &, <, >, " and ' for XML text and attribute values.
std::string xml_escape(std::string_view s);

class Svg {
public:
    Svg(double width, double height, const std::string& title);

    void rect(double x, double y, double w, double h, const std::string& fill,
              const std::string& stroke = "", double opacity = 1.0);
    void line(double x1, double y1, double x2, double y2, const std::string& stroke, double width = 1.0,
              const std::string& dash = "");
    void polyline(const std::vector<std::pair<double, double>>& points, const std::string& stroke,
                  double width = 1.5, const std::string& dash = "");
    void polygon(const std::vector<std::pair<double, double>>& points, const std::string& fill, double opacity);
    void circle(double cx, double cy, double r, const std::string& fill);
    // anchor: "start", "middle" or "end"; rotate: degrees about (x, y).
    void text(double x, double y, const std::string& text, double size = 12, const std::string& anchor = "start",
              const std::string& fill = "#222", double rotate = 0, bool bold = false);
    // A tooltip for the shape written next (SVG <title> inside a group).
    void begin_group(const std::string& tooltip);
    void end_group();

    double width() const { return width_; }
    double height() const { return height_; }
    std::string str() const;

private:
    double width_, height_;
    std::string title_;
    std::string body_;
};

// "12.5": at most two decimals, no trailing zeros (coordinates).
std::string svg_number(double v);

}  // namespace idlab::host
