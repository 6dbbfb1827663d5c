#include "control/runtime/table.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace lispmob::control {

std::string json_quote(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          absl::StrAppendFormat(&out, "\\u%04x", static_cast<unsigned char>(c));
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
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
  std::string out = "[";
  for (size_t r = 0; r < rows_.size(); ++r) {
    out += r ? ",{" : "{";
    for (size_t i = 0; i < columns_.size() && i < rows_[r].size(); ++i) {
      absl::StrAppend(&out, i ? "," : "", json_quote(columns_[i].name), ":", rows_[r][i].json);
    }
    out += "}";
  }
  return out + "]\n";
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
  std::vector<std::string> order;
  std::map<std::string, std::vector<const Cell*>> by_name;
  for (const auto& [name, value] : fields_) {
    auto& cells = by_name[name];
    if (cells.empty()) order.push_back(name);
    cells.push_back(&value);
  }
  std::string out = "{";
  for (size_t i = 0; i < order.size(); ++i) {
    const auto& cells = by_name[order[i]];
    absl::StrAppend(&out, i ? "," : "", json_quote(order[i]), ":");
    if (cells.size() == 1) {
      out += cells[0]->json;
      continue;
    }
    out += "[";
    for (size_t c = 0; c < cells.size(); ++c) absl::StrAppend(&out, c ? "," : "", cells[c]->json);
    out += "]";
  }
  return out + "}\n";
}

Reply Reply::message(const std::string& line) {
  return Reply(line + "\n", "{\"message\":" + json_quote(line) + "}\n");
}

Reply Reply::error(const std::string& line) {
  Reply reply(line + "\n", "{\"error\":" + json_quote(line) + "}\n");
  reply.failed = true;
  return reply;
}

}  // namespace lispmob::control
