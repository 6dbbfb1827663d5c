#include "control/runtime/command_registry.h"

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace lispmob::control {

void CommandRegistry::add(std::string words, std::string usage, std::string help, Handler handler) {
  commands_.push_back({absl::StrSplit(words, ' ', absl::SkipEmpty()), std::move(usage),
                       std::move(help), std::move(handler)});
}

Reply CommandRegistry::help() const {
  Table table({{"command", 32}, {"description", 0}});
  for (const auto& command : commands_) {
    std::string words = absl::StrJoin(command.words, " ");
    if (!command.usage.empty()) words += " " + command.usage;
    table.add_row({words, command.help});
  }
  table.add_row({"help", "this list"});
  return table;
}

Reply CommandRegistry::reply(const std::string& line) const {
  std::vector<std::string> words = absl::StrSplit(line, ' ', absl::SkipEmpty());
  if (words.size() == 1 && words[0] == "help") return help();
  // The command with the most words that begins the line.
  const Command* best = nullptr;
  for (const auto& command : commands_) {
    if (command.words.size() > words.size()) continue;
    if (!std::equal(command.words.begin(), command.words.end(), words.begin())) continue;
    if (best == nullptr || command.words.size() > best->words.size()) best = &command;
  }
  if (best == nullptr) {
    std::vector<std::string> names;
    for (const auto& command : commands_) {
      std::string name = absl::StrJoin(command.words, " ");
      if (!command.usage.empty()) name += " " + command.usage;
      names.push_back(std::move(name));
    }
    return Reply::error("unknown command '" + line + "': " + absl::StrJoin(names, " | "));
  }
  return best->handler({words.begin() + static_cast<long>(best->words.size()), words.end()});
}

std::string CommandRegistry::answer(const std::string& line) const {
  constexpr std::string_view kJson = "json ";
  if (line.rfind(kJson, 0) == 0) return reply(line.substr(kJson.size())).json;
  return reply(line).text;
}

}  // namespace lispmob::control
