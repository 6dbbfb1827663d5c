#include "kni/host_ports.h"

#include <gtest/gtest.h>

namespace lispmob::kni {
namespace {

TEST(HostPorts, TapDevicesCarryTheKernelNames) {
  EXPECT_EQ(twin_tap_device(1, "rloc1", "02:00:00:00:00:01"),
            "net_tap_twin1,iface=rloc1,mac=02:00:00:00:00:01");
  EXPECT_EQ(lan_twin_tap_device("lan0", "02:00:00:00:00:02"),
            "net_tap_lan,iface=lan0,mac=02:00:00:00:00:02");
}

// One queue pair per worker: net_af_packet is told with qpairs, unless the
// operator's devargs say otherwise; other ports get theirs through ethdev.
TEST(HostPorts, AfPacketGetsAQueuePairPerWorkerAndARingThatHoldsAStream) {
  EXPECT_EQ(with_port_defaults("net_af_packet0,iface=eth0", 2),
            "net_af_packet0,iface=eth0,qpairs=2,framecnt=4096");
  EXPECT_EQ(with_port_defaults("net_af_packet0,iface=eth0", 1),
            "net_af_packet0,iface=eth0,framecnt=4096");
  EXPECT_EQ(with_port_defaults("net_af_packet0,iface=eth0,qpairs=4,framecnt=1024", 2),
            "net_af_packet0,iface=eth0,qpairs=4,framecnt=1024");
  EXPECT_EQ(with_port_defaults("0000:03:00.0", 2), "0000:03:00.0");
}

TEST(HostPorts, AfPacketNamesItsInterface) {
  EXPECT_EQ(kernel_interface_of_port("net_af_packet0,iface=veth0,qpairs=1"), "veth0");
  EXPECT_EQ(kernel_interface_of_port("net_af_packet1,iface=wlan0"), "wlan0");
  EXPECT_EQ(kernel_interface_of_port("0000:03:00.0"), std::nullopt);
  // A PCI port is no kernel interface: nothing to keep the kernel off.
  EXPECT_TRUE(keep_kernel_off_port("0000:03:00.0").ok());
}

}  // namespace
}  // namespace lispmob::kni
