// Per-lcore data-plane counters (dataplane/api/counters.h declares them):
// one writer (its worker), cache-line aligned so workers share no line,
// summed by the control thread on demand.
#pragma once

#include <rte_common.h>

#include "dataplane/api/counters.h"

namespace lispmob::dataplane {

struct alignas(RTE_CACHE_LINE_SIZE) LcoreCounters : DataplaneCounters {};

}  // namespace lispmob::dataplane
