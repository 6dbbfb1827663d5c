// libFuzzer target: lmn0 frames with their virtio-net header, and frames
// to the host as TCP trains (kni/host_offload).
// The host is the kernel, but a frame it hands us is still parsed before
// it is trusted: no header asks us to read or write past the frame or a
// segment, and the segments carry the frame's payload exactly once.
#include <cstdlib>
#include <vector>

#include "kni/host_offload.h"

namespace {

// The other way: the frame as a segment to the host, then its halves as
// two segments of a train; the super-packet's headers written must fit.
void train_frames(const std::vector<uint8_t>& frame) {
  using namespace lispmob::kni;
  TcpTrain train;
  if (!train.start(frame)) return;
  const size_t half = frame.size() / 2;
  const std::vector<uint8_t> first(frame.begin(), frame.begin() + half);
  const std::vector<uint8_t> second(frame.begin() + half, frame.end());
  train.extend(frame);
  train.extend(first);
  train.extend(second);
  uint8_t vnet_header[kVnetHeaderSize];
  std::vector<uint8_t> headers(train.headers_length());
  if (train.segments() > 1) train.write_header(vnet_header, headers);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace lispmob::kni;
  if (size < kVnetHeaderSize) return 0;
  const std::span<const uint8_t, kVnetHeaderSize> header(data, kVnetHeaderSize);
  // A copy the exact size of the frame, so that ASan sees a read past it.
  const std::vector<uint8_t> frame_bytes(data + kVnetHeaderSize, data + size);
  train_frames(frame_bytes);
  const auto frame = HostFrame::parse(header, frame_bytes);
  if (!frame) return 0;
  size_t written = 0, longest = 0;
  for (unsigned i = 0; i < frame->segment_count(); ++i) {
    std::vector<uint8_t> segment(frame->segment_length(i));
    frame->write_segment(i, segment);
    written += segment.size();
    longest = std::max(longest, segment.size());
  }
  if (!frame->segmented() && written != frame_bytes.size()) std::abort();
  if (frame->segmented() && (longest > frame_bytes.size() || written < frame_bytes.size())) {
    std::abort();
  }
  return 0;
}
