#!/usr/bin/env bash
# install_test.sh BUILD_DIR: meson install into a DESTDIR puts the binaries,
# the systemd unit, the man pages, lispctl's bash completion and the example
# where an operator's system looks for them; systemd-analyze verify accepts
# the unit (its commands and man pages found in the DESTDIR), groff reads
# each man page without a warning, and the completion completes commands.
set -euo pipefail
build=$1
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
meson install -C "$build" --destdir "$dest" --no-rebuild --quiet >/dev/null
root=$dest/usr/local
for file in sbin/lispd sbin/lispctl sbin/lig sbin/lispdump \
  lib/systemd/system/lispd.service \
  share/man/man8/lispd.8 share/man/man8/lispctl.8 share/man/man8/lig.8 \
  share/man/man8/lispdump.8 share/man/man5/lispmob.conf.5 \
  share/bash-completion/completions/lispctl share/doc/lispmob/lispmob.conf.example; do
  [ -f "$root/$file" ] || { echo "not installed: $file"; exit 1; }
done
for binary in lispd lispctl lig lispdump; do [ -x "$root/sbin/$binary" ]; done
"$root/sbin/lispd" --version | grep -q "^lispd [0-9]"
"$root/sbin/lispd" --check-config "$root/share/doc/lispmob/lispmob.conf.example"

# The unit as installed names /usr/local/sbin/lispd; verified with its
# commands pointed into the DESTDIR, and its man pages looked up there.
unit=$root/lib/systemd/system/lispd.service
grep -q "^ExecStart=/usr/local/sbin/lispd -D -P /run/lispmob/lispd.pid -f /usr/local/etc/lispmob/lispmob.conf$" "$unit"
grep -q '^ExecReload=/bin/kill -HUP $MAINPID$' "$unit"
grep -q "^Type=forking$" "$unit" && grep -q "^PIDFile=/run/lispmob/lispd.pid$" "$unit"
grep -q "^Restart=on-failure$" "$unit"
mkdir -p "$dest/verify"
sed "s|/usr/local/sbin/|$root/sbin/|g" "$unit" > "$dest/verify/lispd.service"
MANPATH=$root/share/man systemd-analyze verify "$dest/verify/lispd.service"
echo "systemd-analyze verify: lispd.service accepted"

for page in "$root"/share/man/man*/*; do
  warnings=$(LC_ALL=C.UTF-8 groff -man -ww -z "$page" 2>&1)
  [ -z "$warnings" ] || { echo "$page: $warnings"; exit 1; }
  MANPATH=$root/share/man man -w "$(basename "${page%.*}")" >/dev/null
done
echo "man pages: $(ls "$root"/share/man/man*/* | wc -l) read by groff without a warning"

# The completion, with no lispd to ask: the usual commands.
completion=$(bash -c '
  source "$1"
  complete -p lispctl >/dev/null
  COMP_WORDS=(lispctl sh); COMP_CWORD=1; _lispctl; echo "${COMPREPLY[*]}"
  COMP_WORDS=(lispctl -s /nonexistent show map); COMP_CWORD=4; _lispctl; echo "${COMPREPLY[*]}"
  COMP_WORDS=(lispctl clear ""); COMP_CWORD=2; _lispctl; echo "${COMPREPLY[*]}"
  COMP_WORDS=(lispctl --j); COMP_CWORD=1; _lispctl; echo "${COMPREPLY[*]}"
' _ "$root/share/bash-completion/completions/lispctl")
[ "$completion" = "show
map-cache map-resolvers map-servers
map-cache
--json" ] || { echo "completion gave: $completion"; exit 1; }
echo "bash completion: lispctl sh<TAB> -> show, show map<TAB> -> map-cache map-resolvers map-servers"
echo "install_test: ok"
