#include "kni/interface.h"

#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace lispmob::kni {
namespace {

// One ioctl on a throwaway datagram socket, as ip(8) does.
absl::Status interface_ioctl(unsigned long request, ifreq& ifr, const std::string& name,
                             const char* what) {
  if (name.empty() || name.size() >= IFNAMSIZ) {
    return absl::InvalidArgumentError(absl::StrCat("bad interface name '", name, "'"));
  }
  std::strncpy(ifr.ifr_name, name.c_str(), IFNAMSIZ - 1);
  const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::InternalError(absl::StrCat(what, ": socket: ", std::strerror(errno)));
  const int result = ioctl(fd, request, &ifr);
  const int error = errno;
  close(fd);
  if (result != 0) {
    return absl::UnavailableError(absl::StrCat(what, " ", name, ": ", std::strerror(error)));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<uint32_t> interface_mtu(const std::string& name) {
  ifreq ifr{};
  if (auto status = interface_ioctl(SIOCGIFMTU, ifr, name, "reading the MTU of"); !status.ok()) {
    return status;
  }
  return static_cast<uint32_t>(ifr.ifr_mtu);
}

absl::Status set_interface_mtu(const std::string& name, uint32_t mtu) {
  ifreq ifr{};
  ifr.ifr_mtu = static_cast<int>(mtu);
  return interface_ioctl(SIOCSIFMTU, ifr, name, "setting the MTU of");
}

absl::StatusOr<std::array<uint8_t, 6>> interface_mac(const std::string& name) {
  ifreq ifr{};
  if (auto status = interface_ioctl(SIOCGIFHWADDR, ifr, name, "reading the MAC of"); !status.ok()) {
    return status;
  }
  std::array<uint8_t, 6> mac;
  std::memcpy(mac.data(), ifr.ifr_hwaddr.sa_data, mac.size());
  return mac;
}

absl::Status set_interface_up(const std::string& name) {
  ifreq ifr{};
  if (auto status = interface_ioctl(SIOCGIFFLAGS, ifr, name, "reading the flags of");
      !status.ok()) {
    return status;
  }
  ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP);
  return interface_ioctl(SIOCSIFFLAGS, ifr, name, "bringing up");
}

}  // namespace lispmob::kni
