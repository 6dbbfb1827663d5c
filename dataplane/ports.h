// Ethernet ports: probing a device from its arguments (a PCI address or a
// vdev such as "net_tap0,iface=lmn0" or "net_af_packet0,iface=veth0"),
// configuring its queues and starting it.
#pragma once

#include <rte_ether.h>
#include <rte_mempool.h>

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace lispmob::dataplane {

struct PortOptions {
  uint16_t queues = 1;  // RX and TX, one per worker
  uint16_t rx_descriptors = 1024;
  uint16_t tx_descriptors = 1024;
  rte_mempool* pool = nullptr;
  bool promiscuous = false;
};

// Probes `devargs` unless a port of that name exists already; returns its port id.
absl::StatusOr<uint16_t> probe_port(const std::string& devargs);
absl::Status start_port(uint16_t port, const PortOptions& options);
void stop_port(uint16_t port);
rte_ether_addr port_mac(uint16_t port);
// rx_nombuf and the like, from the port's own statistics.
uint64_t port_rx_nombuf(uint16_t port);
// Frames the port's receive ring had no room for (imissed; net_af_packet's
// are counted by kni::PacketRingDrops instead).
uint64_t port_rx_missed(uint16_t port);
// Packets the port failed to send (oerrors: af_packet counts frames the
// kernel refused there).
uint64_t port_tx_errors(uint16_t port);
// The MTU DPDK has for the port (0: unknown).
uint16_t port_mtu(uint16_t port);

}  // namespace lispmob::dataplane
