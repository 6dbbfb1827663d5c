#!/usr/bin/env bash
# compat_configs_test.sh LISPD: config files as LISPmob 0.4, LISPmob 0.5 and
# OOR document them (their example files' layout, keys and comments, as
# WIRE.md §2 lists them), for MN, xTR and MS, each pass lispd --check-config,
# with warnings only for features lispmob does not implement. A file with no
# dpdk section gets its RLOC ports derived from the interfaces it names.
set -euo pipefail
lispd=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# LISPmob 0.4.1's lispd.conf.example, as a mobile node fills it in.
cat > "$work/lispmob04-mn.conf" <<'CONF'
################################################
#
# General configuration
#
# debug: Debug levels [0..3]
# map-request-retries: Additional Map-Requests to send per map cache miss

debug                  = 0
map-request-retries    = 2

################################################
#
# LISP configuration
#
# router-mode: on to act as an xTR, off for a mobile node

router-mode            = off

# RLOC probing
rloc-probing {
    rloc-probe-interval             = 30
    rloc-probe-retries              = 2
    rloc-probe-retries-interval     = 5
}

# Encapsulated Map-Requests are sent to this map resolver
map-resolver        = {
        192.0.2.2,       # mr-1
        198.51.100.2     # mr-2
}

# Map-Server
map-server {
        address     = 192.0.2.2
        key-type    = 1
        key         = password
}

# Proxy-ITRs: they get SMRs when the node moves
proxy-itrs = {
        192.0.2.10,
        2001:db8::10
}

# Proxy-ETR
proxy-etr {
        address     = 192.0.2.100
        priority    = 1
        weight      = 100
}

# The node's EID, and the interface that carries its RLOC
database-mapping {
        eid-prefix      = 153.16.1.1/32
        iid             = 0
        interface       = eth0
        priority_v4     = 1
        weight_v4       = 100
        priority_v6     = -1
        weight_v6       = 100
}

# Static map-cache
static-map-cache {
        eid-prefix          = 153.16.2.0/24
        rloc                = 192.0.2.50
        priority            = 1
        weight              = 100
}

# Android's VpnService DNS
override-dns            = off
CONF

# LISPmob 0.4 as an xTR.
cat > "$work/lispmob04-xtr.conf" <<'CONF'
debug                  = 1
map-request-retries    = 2
router-mode            = on    # xTR
map-resolver = { 192.0.2.2 }
map-server {
        address     = 192.0.2.2
        key-type    = 1
        key         = xtr-password
}
database-mapping {
        eid-prefix      = 153.16.10.0/24
        interface       = eth1
        priority_v4     = 1
        weight_v4       = 100
        priority_v6     = 2
        weight_v6       = 100
}
CONF

# LISPmob 0.5's lispd.conf.example: operating-mode and rloc-iface.
cat > "$work/lispmob05-mn.conf" <<'CONF'
# General configuration
debug                  = 0
map-request-retries    = 2
log-file               = "/var/log/lispd.log"

# operating-mode: xTR, RTR, MN, MS
operating-mode         = MN

# Control messages leave through this interface (MS only)
# control-iface        = eth0

rloc-probing {
    rloc-probe-interval             = 30
    rloc-probe-retries              = 2
    rloc-probe-retries-interval     = 5
}

map-resolver        = {
        192.0.2.2
}

map-server {
        address        = 192.0.2.2
        key-type       = 1
        key            = password
        proxy-reply    = on
}

proxy-etr {
        address     = 2001:db8::100
        priority    = 1
        weight      = 100
}

database-mapping {
    eid-prefix          = 153.16.1.1/32
    iid                 = 0
    rloc-iface {
        interface       = wlan0
        ip_version      = 4
        priority        = 1
        weight          = 100
    }
    rloc-iface {
        interface       = eth0   # a second link: multihomed
        ip_version      = 4
        priority        = 2
        weight          = 100
    }
}

database-mapping {
    eid-prefix          = 2001:db8:153::1/128
    iid                 = 0
    rloc-iface {
        interface       = wlan0
        ip_version      = 6
        priority        = 1
        weight          = 100
    }
}

nat-traversal {
    nat_aware   = off
}
CONF

# LISPmob 0.5 as an xTR with a fixed RLOC and a dpdk section of lispmob's.
cat > "$work/lispmob05-xtr.conf" <<'CONF'
debug = 0
operating-mode = xTR
map-resolver = { 192.0.2.2 }
map-server {
        address        = 192.0.2.2
        key-type       = 1
        key            = password
}
database-mapping {
    eid-prefix          = 153.16.10.0/24
    iid                 = 0
    rloc-address {
        address         = 192.0.2.4
        priority        = 1
        weight          = 100
    }
}
dpdk {
  rloc-port = "0000:03:00.0"
  rloc-twin = "rloc0"
}
CONF

# LISPmob 0.5 as a Map-Server.
cat > "$work/lispmob05-ms.conf" <<'CONF'
debug                  = 0
operating-mode         = MS
control-iface          = eth0

lisp-site {
    eid-prefix              = 153.16.0.0/16
    key-type                = 1
    iid                     = 0
    key                     = password
    accept-more-specifics   = true
}

ms-static-registered-site {
    eid-prefix          = 153.17.0.0/16
    iid                 = 0
    rloc-address {
        address         = 192.0.2.60
        priority        = 1
        weight          = 100
    }
}
CONF

# OOR's oor.conf example, a mobile node.
cat > "$work/oor-mn.conf" <<'CONF'
################################################
#
# General configuration
#
# debug: Debug levels [0..3]
# map-request-retries: Additional Map-Requests to send per map cache miss
# log-file: Specifies log file used in daemon mode. If it is not specified,
#   messages are written in syslog file

debug                  = 0
map-request-retries    = 2
log-file               = "/var/log/oor.log"

# Define the type of LISP device OOR will operate as
#
# operating-mode can be any of:
# xTR, RTR, MN, MS, DDT, DDT-MR
#

operating-mode         = MN

# IPv6 scope of the RLOCs: GLOBAL, or SITE to allow ULAs
ipv6-scope             = GLOBAL

# Encapsulation type: LISP, VXLAN-GPE
encapsulation          = LISP

# RLOC Probing configuration
rloc-probing {
    rloc-probe-interval             = 30
    rloc-probe-retries              = 2
    rloc-probe-retries-interval     = 5
}

# NAT Traversal configuration.
nat_traversal_support  = off

# Only these destinations go through the tunnel
allowed-dst-eids = {
    153.16.0.0/16
}

map-resolver        = {
        192.0.2.2
}

map-server {
        address        = 192.0.2.2
        key-type       = 1
        key            = password
        proxy-reply    = on
}

proxy-etr-ipv4 {
        address     = 192.0.2.100
        priority    = 1
        weight      = 100
}

proxy-etr-ipv6 {
        address     = 2001:db8::100
        priority    = 1
        weight      = 100
}

database-mapping {
    eid-prefix          = 153.16.1.1/32
    iid                 = 0
    ttl                 = 10
    rloc-iface {
        interface       = eth0
        ip_version      = 4
        priority        = 1
        weight          = 100
    }
    rloc-iface {
        interface       = eth0
        ip_version      = 6
        priority        = 1
        weight          = 100
    }
}
CONF

# OOR as an xTR.
cat > "$work/oor-xtr.conf" <<'CONF'
debug                  = 0
map-request-retries    = 2
operating-mode         = xTR
encapsulation          = LISP
rloc-probing {
    rloc-probe-interval             = 0
}
map-resolver = {
        192.0.2.2
}
map-server {
        address        = 192.0.2.2
        key-type       = 1
        key            = password
}
database-mapping {
    eid-prefix          = 153.16.10.0/24
    iid                 = 0
    ttl                 = 10
    rloc-iface {
        interface       = eth1
        ip_version      = 4
        priority        = 1
        weight          = 100
    }
}
static-map-cache {
    eid-prefix          = 153.16.20.0/24
    iid                 = 0
    rloc-address {
        address         = 192.0.2.20
        priority        = 1
        weight          = 100
    }
}
CONF

# OOR as a Map-Server.
cat > "$work/oor-ms.conf" <<'CONF'
debug                  = 0
operating-mode         = MS
control-iface          = eth0
lisp-site {
    eid-prefix              = 153.16.0.0/16
    key-type                = 1
    iid                     = 0
    key                     = password
    accept-more-specifics   = true
    proxy-reply             = on
}
lisp-site {
    eid-prefix              = 2001:db8:153::/48
    key-type                = 1
    key                     = password6
    accept-more-specifics   = on
}
CONF

# The README's site-gateway config, as printed there.
readme=${LISPMOB_SOURCE_ROOT:-$(dirname "$0")/../..}/README.md
awk '/^The gateway.s config, complete:/ {found = 1; next}
     found && /^```/ {fences++; if (fences == 2) exit; next}
     found && fences == 1' "$readme" > "$work/readme-gateway.conf"
grep -q 'lan-port = ' "$work/readme-gateway.conf" || { echo "README: no site-gateway config"; exit 1; }

for file in "$work"/*.conf; do
  name=$(basename "$file")
  if ! "$lispd" --check-config "$file" > "$work/out" 2> "$work/err"; then
    echo "$name: refused"; cat "$work/out" "$work/err"; exit 1
  fi
  grep -q "^$file: ok (operating-mode " "$work/out" || { echo "$name: no ok line"; cat "$work/out"; exit 1; }
  # Every warning is about something lispmob does not implement.
  if grep -v -e "not implemented" "$work/err" | grep .; then
    echo "$name: a warning for a feature lispmob has"; exit 1
  fi
  echo "$name: ok, $(wc -l < "$work/err") warning(s) for what is not implemented"
  sed 's/^/    /' "$work/err"
done

# No dpdk section: the RLOC ports come from the interfaces named.
grep -q "eth0 as RLOC port net_af_packet0,iface=eth0 with kernel twin rloc0" <("$lispd" --check-config "$work/lispmob04-mn.conf")
grep -q "wlan0 as RLOC port net_af_packet0,iface=wlan0 with kernel twin rloc0, eth0 as RLOC port net_af_packet1,iface=eth0 with kernel twin rloc1" \
  <("$lispd" --check-config "$work/lispmob05-mn.conf")
# The file's own dpdk section is kept.
if "$lispd" --check-config "$work/lispmob05-xtr.conf" | grep -q "no dpdk rloc-port"; then
  echo "a given rloc-port was replaced"; exit 1
fi
# An MN with neither an rloc-port nor an interface to derive one cannot run.
printf 'operating-mode = MN\ndatabase-mapping { eid-prefix = 153.16.1.1/32  rloc-address { address = 192.0.2.4 } }\n' > "$work/no-port.conf"
if "$lispd" --check-config "$work/no-port.conf" 2> "$work/err"; then echo "an MN with no RLOC port passed"; exit 1; fi
grep -q "needs an RLOC port" "$work/err"
# A broken LISPmob file is refused with its line, after the comments.
sed 's/^        weight_v4       = 100$/        weight_v4       = 300/' "$work/lispmob04-mn.conf" > "$work/bad.conf"
if "$lispd" --check-config "$work/bad.conf" 2> "$work/err"; then echo "weight 300 passed"; exit 1; fi
grep -q "bad.conf:58: key 'weight_v4': expected 0 to 255, got 300" "$work/err" || { cat "$work/err"; exit 1; }
echo "compat_configs: ok"
