#include "control/runtime/table.h"

#include <map>

#include "absl/strings/str_format.h"

namespace lispmob::control {

std::string json_text(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

namespace {

void append_padded(std::string& out, const std::string& text, int width, bool last) {
  out += text;
  if (!last && static_cast<int>(text.size()) < width) out.append(width - text.size(), ' ');
  if (!last) out += ' ';
}

}  // namespace

std::string Table::text() const {
  std::string out;
  auto line = [&](auto cell_text) {
    for (size_t i = 0; i < columns_.size(); ++i) {
      append_padded(out, cell_text(i), columns_[i].width, i + 1 == columns_.size());
    }
    out += '\n';
  };
  line([&](size_t i) { return columns_[i].name; });
  for (const auto& row : rows_) {
    line([&](size_t i) { return i < row.size() ? row[i].text : std::string(); });
  }
  return out;
}

std::string Table::json() const {
  Json rows = Json::array();
  for (const auto& row : rows_) {
    Json object = Json::object();
    for (size_t i = 0; i < columns_.size() && i < row.size(); ++i) {
      object[columns_[i].name] = row[i].json;
    }
    rows.push_back(std::move(object));
  }
  return json_text(rows) + "\n";
}

void Fields::append(const Fields& other) {
  fields_.insert(fields_.end(), other.fields_.begin(), other.fields_.end());
}

std::string Fields::text() const {
  std::string out;
  for (const auto& [name, value] : fields_) {
    absl::StrAppendFormat(&out, "%-*s %s\n", width_, name, value.text);
  }
  return out;
}

std::string Fields::json() const {
  // A repeated name (two RLOCs, several EIDs) becomes an array, in order.
  std::map<std::string, size_t> count;
  for (const auto& [name, value] : fields_) count[name]++;
  Json object = Json::object();
  for (const auto& [name, value] : fields_) {
    if (count[name] == 1) {
      object[name] = value.json;
    } else {
      object[name].push_back(value.json);
    }
  }
  return json_text(object) + "\n";
}

Reply Reply::message(const std::string& line) {
  return Reply(line + "\n", json_text(Json{{"message", line}}) + "\n");
}

Reply Reply::error(const std::string& line) {
  Reply reply("error: " + line + "\n", json_text(Json{{"error", line}}) + "\n");
  reply.failed = true;
  return reply;
}

}  // namespace lispmob::control
