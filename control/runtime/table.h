// What a lispctl command answers, described once and rendered two ways:
// as the aligned text table an operator reads and as JSON a script reads
// (nlohmann's json, Debian's nlohmann-json3-dev: quoting, escaping and
// UTF-8 are its business, not ours).
// A Table is rows under named columns (JSON: an array of objects); Fields
// are name/value lines (JSON: one object, a repeated name becoming an
// array).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace lispmob::control {

// Objects keep their members in the order they were added (a table's
// columns, a show's fields).
using Json = nlohmann::ordered_json;

// `value` as JSON text on one line. Bytes that are not UTF-8 (a command
// line is the client's) become U+FFFD rather than an exception.
std::string json_text(const Json& value);

// One value: its text and its JSON (a string, a number, or any JSON the
// caller built, such as an array of locators).
struct Cell {
  Cell(std::string value) : text(value), json(std::move(value)) {}
  Cell(const char* value) : Cell(std::string(value)) {}
  Cell(uint64_t value) : text(std::to_string(value)), json(value) {}
  Cell(int64_t value) : text(std::to_string(value)), json(value) {}
  Cell(uint32_t value) : Cell(static_cast<uint64_t>(value)) {}
  Cell(int value) : Cell(static_cast<int64_t>(value)) {}
  Cell(bool value) : text(value ? "yes" : "no"), json(value) {}
  Cell(std::string text_, Json json_) : text(std::move(text_)), json(std::move(json_)) {}
  std::string text;
  Json json;
};

class Table {
 public:
  struct Column {
    std::string name;
    int width = 0;  // text: padded to this; the last column is not padded
  };
  explicit Table(std::vector<Column> columns) : columns_(std::move(columns)) {}
  void add_row(std::vector<Cell> row) { rows_.push_back(std::move(row)); }
  size_t size() const { return rows_.size(); }
  std::string text() const;
  std::string json() const;

 private:
  std::vector<Column> columns_;
  std::vector<std::vector<Cell>> rows_;
};

class Fields {
 public:
  // `width`: the text form pads names to it.
  explicit Fields(int width) : width_(width) {}
  void add(std::string name, Cell value) {
    fields_.emplace_back(std::move(name), std::move(value));
  }
  void append(const Fields& other);
  std::string text() const;
  std::string json() const;
  const std::vector<std::pair<std::string, Cell>>& items() const { return fields_; }

 private:
  int width_;
  std::vector<std::pair<std::string, Cell>> fields_;
};

// A command's answer in both forms.
struct Reply {
  Reply(std::string text_, std::string json_) : text(std::move(text_)), json(std::move(json_)) {}
  Reply(const Table& table) : text(table.text()), json(table.json()) {}
  Reply(const Fields& fields) : text(fields.text()), json(fields.json()) {}
  // A one-line message ("no map-server configured"); JSON {"message": ...}.
  static Reply message(const std::string& line);
  // A refusal: "error: ..." (lispctl exits 1 on it); JSON {"error": ...}.
  static Reply error(const std::string& line);
  std::string text;
  std::string json;
  bool failed = false;
};

}  // namespace lispmob::control
