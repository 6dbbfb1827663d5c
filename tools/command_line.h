// The tools' command lines (lispd, lig, lispdump), parsed by CLI11 the same
// way: --help prints the usage and exits 0, --version prints
// "TOOL VERSION" and exits 0, a bad option is named on stderr with a pointer
// to --help and exits 2.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdio>
#include <optional>
#include <string>

#ifndef LISPMOB_VERSION
#define LISPMOB_VERSION "unknown"
#endif

namespace lispmob::tools {

// Adds -V/--version to `app`, named `tool`.
inline void add_version_flag(CLI::App& app, const std::string& tool) {
  app.set_version_flag("-V,--version", tool + " " LISPMOB_VERSION);
}

// nullopt when the tool goes on; else the exit status. `usage` is printed
// before CLI11's help.
inline std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv,
                                             const std::string& tool,
                                             const std::string& usage = "") {
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::fputs((usage + app.help()).c_str(), stdout);
    return 0;
  } catch (const CLI::CallForVersion&) {
    std::printf("%s %s\n", tool.c_str(), LISPMOB_VERSION);
    return 0;
  } catch (const CLI::ParseError& error) {
    std::fprintf(stderr, "%s: %s\nRun %s --help for the options.\n", tool.c_str(), error.what(),
                 tool.c_str());
    return 2;
  }
  return std::nullopt;
}

}  // namespace lispmob::tools
