#include "kni/host_ports.h"

#include <fstream>

#include "absl/strings/str_cat.h"

namespace lispmob::kni {

std::string twin_tap_device(unsigned link, const std::string& interface, const std::string& mac) {
  return absl::StrCat("net_tap_twin", link, ",iface=", interface, ",mac=", mac);
}

std::string lan_twin_tap_device(const std::string& interface, const std::string& mac) {
  return absl::StrCat("net_tap_lan,iface=", interface, ",mac=", mac);
}

std::string with_port_defaults(const std::string& devargs, unsigned workers) {
  if (devargs.rfind("net_af_packet", 0) != 0) return devargs;
  std::string out = devargs;
  if (workers > 1 && devargs.find("qpairs=") == std::string::npos) {
    absl::StrAppend(&out, ",qpairs=", workers);
  }
  if (devargs.find("framecnt=") == std::string::npos) {
    absl::StrAppend(&out, ",framecnt=", kAfPacketFrames);
  }
  return out;
}

std::optional<std::string> kernel_interface_of_port(const std::string& devargs) {
  if (devargs.rfind("net_af_packet", 0) != 0) return std::nullopt;
  const auto start = devargs.find("iface=");
  if (start == std::string::npos) return std::nullopt;
  const auto end = devargs.find(',', start);
  return devargs.substr(start + 6, end == std::string::npos ? end : end - start - 6);
}

absl::Status keep_kernel_off_port(const std::string& devargs) {
  const auto interface = kernel_interface_of_port(devargs);
  if (!interface) return absl::OkStatus();
  const std::string path = "/proc/sys/net/ipv4/conf/" + *interface + "/rp_filter";
  std::ofstream file(path);
  file << "1\n";
  file.flush();
  if (!file) return absl::InternalError("cannot set " + path);
  return absl::OkStatus();
}

}  // namespace lispmob::kni
