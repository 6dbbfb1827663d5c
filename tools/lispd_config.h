// The config file projected into what each part of lispd is configured
// with, once at start and again at each reload: below tools/, nothing
// reads config::Config's file-shaped struct.
#pragma once

#include "common/config/config.h"
#include "control/ms/map_server.h"
#include "control/xtr/xtr_config.h"

namespace lispmob::tools {

// The MN/xTR roles' part: links, EID port, database- and static mappings,
// Map-Servers, Map-Resolvers (the Map-Servers when none is given) and
// Proxy-ITRs (host names among them used once lispd has resolved them),
// Proxy-ETRs, allowed-dst-eids, retries and RLOC probing.
control::XtrConfig xtr_config_of(const config::Config& config);

// The Map-Server role's part: its sites (lisp-site entries for the same
// instance-id and prefix become one site with several keys), its
// ms-static-registered-site mappings and limits.
control::MapServerConfig map_server_config_of(const config::Config& config);

}  // namespace lispmob::tools
