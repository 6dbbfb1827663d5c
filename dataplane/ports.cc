#include "dataplane/ports.h"

#include <rte_bus.h>
#include <rte_dev.h>
#include <rte_ethdev.h>

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace lispmob::dataplane {

absl::StatusOr<uint16_t> probe_port(const std::string& devargs) {
  const std::string name = devargs.substr(0, devargs.find(','));
  uint16_t port = 0;
  if (rte_eth_dev_get_port_by_name(name.c_str(), &port) == 0) return port;
  if (const int error = rte_dev_probe(devargs.c_str()); error != 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot probe port '", devargs, "': ", rte_strerror(-error)));
  }
  if (rte_eth_dev_get_port_by_name(name.c_str(), &port) != 0) {
    return absl::NotFoundError(
        absl::StrCat("probed '", devargs, "' but found no port named ", name));
  }
  return port;
}

absl::Status start_port(uint16_t port, const PortOptions& options) {
  if (options.pool == nullptr) return absl::InvalidArgumentError("a port needs an mbuf pool");
  rte_eth_dev_info info;
  if (rte_eth_dev_info_get(port, &info) != 0)
    return absl::NotFoundError(absl::StrCat("no port ", port));
  if (options.queues > info.max_rx_queues || options.queues > info.max_tx_queues) {
    return absl::InvalidArgumentError(absl::StrCat(
        "port ", port, " (", info.driver_name, ") has at most ",
        std::min(info.max_rx_queues, info.max_tx_queues), " queue pairs, and ", options.queues,
        " workers need one each: fewer worker-lcores, or a port with more queues"));
  }
  rte_eth_conf conf{};
  if (options.queues > 1) {
    conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
    conf.rx_adv_conf.rss_conf.rss_hf =
        (RTE_ETH_RSS_IP | RTE_ETH_RSS_UDP | RTE_ETH_RSS_TCP) & info.flow_type_rss_offloads;
  }
  if (int error = rte_eth_dev_configure(port, options.queues, options.queues, &conf); error != 0) {
    return absl::InternalError(absl::StrCat("port ", port, ": configure: ", rte_strerror(-error)));
  }
  uint16_t rx_descriptors = options.rx_descriptors;
  uint16_t tx_descriptors = options.tx_descriptors;
  rte_eth_dev_adjust_nb_rx_tx_desc(port, &rx_descriptors, &tx_descriptors);
  const int socket = rte_eth_dev_socket_id(port);
  for (uint16_t queue = 0; queue < options.queues; ++queue) {
    if (int error =
            rte_eth_rx_queue_setup(port, queue, rx_descriptors, socket, nullptr, options.pool);
        error != 0) {
      return absl::InternalError(absl::StrCat("port ", port, ": RX queue: ", rte_strerror(-error)));
    }
    if (int error = rte_eth_tx_queue_setup(port, queue, tx_descriptors, socket, nullptr);
        error != 0) {
      return absl::InternalError(absl::StrCat("port ", port, ": TX queue: ", rte_strerror(-error)));
    }
  }
  if (int error = rte_eth_dev_start(port); error != 0) {
    return absl::InternalError(absl::StrCat("port ", port, ": start: ", rte_strerror(-error)));
  }
  if (options.promiscuous) rte_eth_promiscuous_enable(port);
  return absl::OkStatus();
}

void stop_port(uint16_t port) {
  rte_eth_dev_stop(port);
  rte_eth_dev_close(port);
}

rte_ether_addr port_mac(uint16_t port) {
  rte_ether_addr mac{};
  rte_eth_macaddr_get(port, &mac);
  return mac;
}

uint64_t port_rx_nombuf(uint16_t port) {
  rte_eth_stats stats{};
  return rte_eth_stats_get(port, &stats) == 0 ? stats.rx_nombuf : 0;
}

uint64_t port_rx_missed(uint16_t port) {
  rte_eth_stats stats{};
  return rte_eth_stats_get(port, &stats) == 0 ? stats.imissed : 0;
}

uint64_t port_tx_errors(uint16_t port) {
  rte_eth_stats stats{};
  return rte_eth_stats_get(port, &stats) == 0 ? stats.oerrors : 0;
}

uint16_t port_mtu(uint16_t port) {
  uint16_t mtu = 0;
  return rte_eth_dev_get_mtu(port, &mtu) == 0 ? mtu : 0;
}

}  // namespace lispmob::dataplane
