#include "dataplane/eid_tap.h"

#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "kni/interface.h"

namespace lispmob::dataplane {
namespace {

// The largest frame the host's stack hands a tap: a 64 KiB GSO packet
// (the tap's default gso_max_size) behind its Ethernet header.
constexpr size_t kMaxHostFrame = 65536 + 64;
constexpr size_t kFrameBufferSize = kni::kVnetHeaderSize + kMaxHostFrame;
// Segments of one frame to the host: a reassembled packet's at most.
constexpr unsigned kMaxTransmitSegments = 32;

std::span<const uint8_t> bytes_of(const rte_mbuf* packet) {
  return {rte_pktmbuf_mtod(packet, const uint8_t*), rte_pktmbuf_data_len(packet)};
}

absl::StatusOr<int> open_queue(const std::string& name) {
  const int fd = ::open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return absl::UnavailableError(absl::StrCat("/dev/net/tun: ", std::strerror(errno)));
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, name.c_str(), IFNAMSIZ - 1);
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR | IFF_MULTI_QUEUE;
  if (ioctl(fd, TUNSETIFF, &ifr) != 0) {
    const int error = errno;
    close(fd);
    return absl::UnavailableError(
        absl::StrCat("creating tap ", name, " (TUNSETIFF): ", std::strerror(error)));
  }
  // Checksums and TCP segmentation left to us, for both families.
  const unsigned offloads = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6;
  if (ioctl(fd, TUNSETOFFLOAD, offloads) != 0) {
    const int error = errno;
    close(fd);
    return absl::UnavailableError(
        absl::StrCat("tap ", name, " offloads (TUNSETOFFLOAD): ", std::strerror(error)));
  }
  return fd;
}

}  // namespace

TapQueue::TapQueue(int fd, rte_mempool* pool)
    : fd_(fd),
      pool_(pool),
      frame_buffer_(new uint8_t[kFrameBufferSize]),
      segment_buffer_(new uint8_t[kMaxHostFrame]) {}

TapQueue::~TapQueue() { close(fd_); }

bool TapQueue::read_frame(LcoreCounters& counters) {
  for (;;) {
    const ssize_t length = read(fd_, frame_buffer_.get(), kFrameBufferSize);
    if (length < 0) return false;  // EAGAIN: nothing waiting
    const auto size = static_cast<size_t>(length);
    if (size >= kFrameBufferSize || size < kni::kVnetHeaderSize + 14) {
      counters.drop_host_frame++;
      continue;
    }
    pending_ = kni::HostFrame::parse(
        std::span<const uint8_t, kni::kVnetHeaderSize>(frame_buffer_.get(), kni::kVnetHeaderSize),
        std::span<const uint8_t>(frame_buffer_.get() + kni::kVnetHeaderSize,
                                 size - kni::kVnetHeaderSize));
    if (!pending_) {
      counters.drop_host_frame++;
      continue;
    }
    next_segment_ = 0;
    if (pending_->segmented()) counters.host_offloaded++;
    return true;
  }
}

rte_mbuf* TapQueue::take_segment(unsigned index) {
  rte_mbuf* head = rte_pktmbuf_alloc(pool_);
  if (head == nullptr) return nullptr;
  const size_t length = pending_->segment_length(index);
  if (length <= rte_pktmbuf_tailroom(head)) {
    pending_->write_segment(index, std::span(rte_pktmbuf_mtod(head, uint8_t*), length));
    head->data_len = static_cast<uint16_t>(length);
    head->pkt_len = static_cast<uint32_t>(length);
    return head;
  }
  // Larger than one mbuf (an EID MTU above about 2000): a chain.
  pending_->write_segment(index, std::span(segment_buffer_.get(), length));
  size_t copied = 0;
  rte_mbuf* last = head;
  for (rte_mbuf* segment = head; copied < length;) {
    const auto room =
        static_cast<uint16_t>(std::min<size_t>(rte_pktmbuf_tailroom(segment), length - copied));
    std::memcpy(rte_pktmbuf_mtod(segment, uint8_t*), segment_buffer_.get() + copied, room);
    segment->data_len = room;
    copied += room;
    if (segment != head) {
      last->next = segment;
      last = segment;
      head->nb_segs++;
    }
    if (copied < length && (segment = rte_pktmbuf_alloc(pool_)) == nullptr) {
      rte_pktmbuf_free(head);
      return nullptr;
    }
  }
  head->pkt_len = static_cast<uint32_t>(length);
  return head;
}

uint16_t TapQueue::receive(rte_mbuf** packets, uint16_t wanted, LcoreCounters& counters) {
  uint16_t count = 0;
  while (count < wanted) {
    if (!pending_ && !read_frame(counters)) break;
    rte_mbuf* packet = take_segment(next_segment_);
    if (packet == nullptr) {  // the frame waits for mbufs in pending_
      counters.rx_nombuf++;
      break;
    }
    packets[count++] = packet;
    if (pending_->segmented()) counters.host_segments++;
    if (++next_segment_ == pending_->segment_count()) pending_.reset();
  }
  return count;
}

bool TapQueue::write_whole(rte_mbuf* packet) {
  // No offload asked of the host: it verifies the checksums itself.
  static constexpr uint8_t kNoOffload[kni::kVnetHeaderSize] = {};
  iovec pieces[1 + kMaxTransmitSegments];
  pieces[0] = {const_cast<uint8_t*>(kNoOffload), sizeof(kNoOffload)};
  int used = 1;
  for (rte_mbuf* segment = packet; segment != nullptr && used <= int{kMaxTransmitSegments};
       segment = segment->next) {
    pieces[used++] = {rte_pktmbuf_mtod(segment, void*), segment->data_len};
  }
  return used == 1 + packet->nb_segs && writev(fd_, pieces, used) > 0;
}

bool TapQueue::write_train(rte_mbuf** packets) {
  uint8_t vnet_header[kni::kVnetHeaderSize];
  train_.write_header(std::span<uint8_t, kni::kVnetHeaderSize>(vnet_header),
                      std::span(train_headers_));
  iovec pieces[2 + kni::TcpTrain::kMaxSegments];
  pieces[0] = {vnet_header, sizeof(vnet_header)};
  pieces[1] = {train_headers_.data(), train_.headers_length()};
  const size_t skip = train_.headers_length();
  for (unsigned i = 0; i < train_.segments(); ++i) {
    pieces[2 + i] = {rte_pktmbuf_mtod_offset(packets[i], uint8_t*, skip),
                     rte_pktmbuf_data_len(packets[i]) - skip};
  }
  return writev(fd_, pieces, static_cast<int>(2 + train_.segments())) > 0;
}

uint16_t TapQueue::transmit(rte_mbuf** packets, uint16_t count, LcoreCounters& counters) {
  uint16_t sent = 0;
  for (uint16_t i = 0; i < count;) {
    // The longest train of one TCP flow's segments from packet i on.
    uint16_t length = 1;
    if (packets[i]->nb_segs == 1 && train_.start(bytes_of(packets[i]))) {
      while (i + length < count && packets[i + length]->nb_segs == 1 &&
             train_.extend(bytes_of(packets[i + length]))) {
        length++;
      }
    }
    if (length > 1 ? write_train(packets + i) : write_whole(packets[i])) sent += length;
    if (length > 1) {
      counters.host_trains++;
      counters.host_train_segments += length;
    }
    rte_pktmbuf_free_bulk(packets + i, length);
    i += length;
  }
  return sent;
}

absl::StatusOr<std::unique_ptr<EidTap>> EidTap::open(const std::string& name, unsigned queues,
                                                     rte_mempool* pool) {
  if (name.empty() || name.size() >= IFNAMSIZ) {
    return absl::InvalidArgumentError(absl::StrCat("bad EID interface name '", name, "'"));
  }
  std::unique_ptr<EidTap> tap(new EidTap());
  for (unsigned i = 0; i < std::max(1u, queues); ++i) {
    auto fd = open_queue(name);
    if (!fd.ok()) return fd.status();
    tap->queues_.push_back(std::make_unique<TapQueue>(*fd, pool));
  }
  auto mac = kni::interface_mac(name);
  if (!mac.ok()) return mac.status();
  tap->mac_ = *mac;
  if (auto status = kni::set_interface_up(name); !status.ok()) return status;
  return tap;
}

}  // namespace lispmob::dataplane
