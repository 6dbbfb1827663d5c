#include "kni/host_ports.h"

#include <gtest/gtest.h>

namespace lispmob::kni {
namespace {

TEST(HostPorts, TapDevicesCarryTheKernelNames) {
  EXPECT_EQ(eid_tap_device("lmn0"), "net_tap_eid,iface=lmn0");
  EXPECT_EQ(twin_tap_device(1, "rloc1", "02:00:00:00:00:01"),
            "net_tap_twin1,iface=rloc1,mac=02:00:00:00:00:01");
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
