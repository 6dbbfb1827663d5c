#include "kni/packet_ring_drops.h"

#include <dirent.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <cstdlib>

namespace lispmob::kni {
namespace {

// Whether `fd` is an AF_PACKET socket bound to `ifindex`.
bool packet_socket_on(int fd, int ifindex) {
  struct stat status;
  if (fstat(fd, &status) != 0 || !S_ISSOCK(status.st_mode)) return false;
  int domain = 0;
  socklen_t length = sizeof(domain);
  if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &length) != 0 || domain != AF_PACKET) {
    return false;
  }
  sockaddr_ll address{};
  length = sizeof(address);
  return getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0 &&
         address.sll_ifindex == ifindex;
}

}  // namespace

PacketRingDrops PacketRingDrops::for_interface(const std::string& name) {
  PacketRingDrops out;
  const int ifindex = static_cast<int>(if_nametoindex(name.c_str()));
  if (ifindex == 0) return out;
  DIR* fds = opendir("/proc/self/fd");
  if (fds == nullptr) return out;
  const int own = dirfd(fds);
  while (const dirent* entry = readdir(fds)) {
    char* end = nullptr;
    const long fd = std::strtol(entry->d_name, &end, 10);
    if (end == entry->d_name || *end != '\0' || fd == own) continue;
    if (packet_socket_on(static_cast<int>(fd), ifindex))
      out.sockets_.push_back(static_cast<int>(fd));
  }
  closedir(fds);
  return out;
}

uint64_t PacketRingDrops::total() {
  for (int fd : sockets_) {
    tpacket_stats statistics{};
    socklen_t length = sizeof(statistics);
    if (getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, &statistics, &length) == 0) {
      total_ += statistics.tp_drops;
    }
  }
  return total_;
}

}  // namespace lispmob::kni
