// The host side's ports. lmn0 (the EID port) and each RLOC link's kernel
// twin are net_tap devices: kernel interfaces that DPDK creates, which the
// host's stack and the operator see by the names the config gives. An
// af_packet RLOC port is a kernel interface DPDK attaches to. Here: the
// DPDK devices the data plane probes for them, and what the kernel must
// be told about them.
#pragma once

#include <optional>
#include <string>

#include "absl/status/status.h"

namespace lispmob::kni {

// The net_tap device of the EID port, named `interface` in the kernel.
std::string eid_tap_device(const std::string& interface);
// The net_tap device of RLOC link `link`'s twin, named `interface`, with
// the RLOC port's MAC (as "aa:bb:..."), so that the kernel's ARP/ND
// answers for the RLOC name the port the traffic really arrives on.
std::string twin_tap_device(unsigned link, const std::string& interface, const std::string& mac);

// The net_tap device of a site gateway's LAN twin, named `interface`, with
// the LAN port's MAC: the kernel's ARP/ND answers for the gateway's LAN
// address name the port the hosts' frames arrive on.
std::string lan_twin_tap_device(const std::string& interface, const std::string& mac);

// `devargs` for a port polled by `workers` workers, one queue pair each:
// net_af_packet gets qpairs=N (one socket per queue, the kernel spreading
// flows over them by hash) unless it names its own; others as they are
// (a NIC's queues are configured through ethdev, RSS spreading the flows).
std::string with_queue_pairs(const std::string& devargs, unsigned workers);

// The kernel interface behind an RLOC port's devargs (net_af_packet's
// iface=), if it has one.
std::optional<std::string> kernel_interface_of_port(const std::string& devargs);

// With net_af_packet the RLOC port (or a LAN port) is also a kernel
// interface, and the kernel would accept packets for the twin's addresses
// there as well as through the twin (weak host model): every control
// message would arrive twice, every ARP request be answered twice. A
// strict reverse-path check on that interface, through which nothing is
// routed, makes the kernel drop them; af_packet still sees them. Nothing
// to do for a port that is no kernel interface.
absl::Status keep_kernel_off_port(const std::string& devargs);

}  // namespace lispmob::kni
