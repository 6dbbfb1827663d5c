// libFuzzer target: the configuration parser (libconfuse and our checks).
#include <string_view>

#include "common/config/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (text.find('\0') != std::string_view::npos) return 0;  // a config file is text
  (void)lispmob::config::parse_text(text, "fuzz.conf");
  return 0;
}
