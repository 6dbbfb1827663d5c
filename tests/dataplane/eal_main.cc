// main() for DPDK tests: EAL starts once per process, without hugepages,
// PCI or shared files so that several test processes can run at once, and
// is cleaned up after every DPDK object the tests made is gone.
#include <gtest/gtest.h>
#include <rte_eal.h>

#include <cstdio>
#include <vector>

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  std::vector<const char*> eal_args = {
      argv[0], "--no-huge", "--no-pci", "--no-shconf", "--no-telemetry", "-m", "768",
      // Two worker lcores on this machine's two CPUs: 1 and 2 share CPU 1.
      "--lcores", "0,1,2@1", "--log-level=lib.eal:error"};
  if (rte_eal_init(static_cast<int>(eal_args.size()), const_cast<char**>(eal_args.data())) < 0) {
    std::fprintf(stderr, "rte_eal_init failed\n");
    return 1;
  }
  const int result = RUN_ALL_TESTS();
  rte_eal_cleanup();
  return result;
}
