// The host side's ports. Each RLOC link's kernel twin (and a site
// gateway's LAN twin) is a net_tap device: a kernel interface that DPDK
// creates, which the host's stack and the operator see by the name the
// config gives. lmn0 is lispd's own tap (dataplane/eid_tap.h). An
// af_packet RLOC port is a kernel interface DPDK attaches to. Here: the
// DPDK devices the data plane probes for them, and what the kernel must
// be told about them.
#pragma once

#include <optional>
#include <string>

#include "absl/status/status.h"

namespace lispmob::kni {

// The net_tap device of RLOC link `link`'s twin, named `interface`, with
// the RLOC port's MAC (as "aa:bb:..."), so that the kernel's ARP/ND
// answers for the RLOC name the port the traffic really arrives on.
std::string twin_tap_device(unsigned link, const std::string& interface, const std::string& mac);

// The net_tap device of a site gateway's LAN twin, named `interface`, with
// the LAN port's MAC: the kernel's ARP/ND answers for the gateway's LAN
// address name the port the hosts' frames arrive on.
std::string lan_twin_tap_device(const std::string& interface, const std::string& mac);

// `devargs` for a port polled by `workers` workers, one queue pair each.
// net_af_packet gets, unless it names its own:
//  - qpairs=N: one socket per queue, the kernel spreading flows over them
//    by hash;
//  - framecnt=4096 (kAfPacketFrames): net_af_packet's default ring of 512
//    frames overflows under a TCP stream whenever the worker is preempted
//    for 5 ms, and the kernel drops the excess at the ring, where no port
//    statistic of DPDK 22.11 counts it (a 1 Gbit/s transfer in
//    full_size_netns lost 3% of its segments in bursts of about 80, and
//    retransmitted none with 2048 frames). 4096 frames of 2 KiB take 8 MiB
//    per ring and hold 46 ms of a 1 Gbit/s stream.
// Other ports as they are (a NIC's queues are configured through ethdev,
// RSS spreading the flows).
inline constexpr unsigned kAfPacketFrames = 4096;
std::string with_port_defaults(const std::string& devargs, unsigned workers);

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
