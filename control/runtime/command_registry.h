// lispctl's commands, whatever the role: each is registered with its words
// ("show map-cache"), its arguments' usage and a help line, and answers
// with a Reply, so every command has a text and a JSON form. A request
// line "json show counters" (lispctl --json) asks for the JSON; "help"
// lists the commands.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "control/runtime/table.h"

namespace lispmob::control {

class CommandRegistry {
 public:
  // The words after the command's own.
  using Handler = std::function<Reply(const std::vector<std::string>& arguments)>;

  void add(std::string words, std::string usage, std::string help, Handler handler);
  // The answer to one request line, in the form it asks for.
  std::string answer(const std::string& line) const;
  // The answer with its form chosen by the caller.
  Reply reply(const std::string& line) const;

 private:
  struct Command {
    std::vector<std::string> words;
    std::string usage;
    std::string help;
    Handler handler;
  };
  Reply help() const;
  std::vector<Command> commands_;
};

}  // namespace lispmob::control
