// libFuzzer target: pcap files and the frames in them, as lispdump reads them.
#include "common/lisp/packet.h"
#include "common/net/frame.h"
#include "common/pcap/pcap.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace lispmob;
  auto file = pcap::parse({data, size});
  if (!file.ok()) return 0;
  for (const auto& record : file->records) {
    net::UdpFrame frame;
    if (!net::dissect_udp_frame(record.data, frame).ok()) continue;
    const auto port =
        lisp::classify_ports(frame.datagram.udp.source_port, frame.datagram.udp.destination_port);
    (void)lisp::decode_payload(port, frame.datagram.payload);
  }
  return 0;
}
