#!/usr/bin/env bash
# lispd_exit_test.sh LISPD: how lispd ends, as its log file tells it. A
# SIGTERM ends with "stopped (exit status 0)" once the pid file is gone; a
# fatal signal writes its name and a backtrace to the log file before lispd
# dies of it, so a daemon whose stderr is /dev/null still leaves a trace.
# A Map-Server on a loopback port of its own: no root, no DPDK.
set -euo pipefail
lispd=$1
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
port=$((20000 + $$ % 20000))
printf 'operating-mode = "MS"\nlog-file = "%s"\n' "$work/lispd.log" > "$work/ms.conf"

start() {
  "$lispd" -f "$work/ms.conf" -s "$work/lispd.sock" -P "$work/lispd.pid" -p "$port" &
  pid=$!
  for _ in $(seq 50); do [ -e "$work/lispd.pid" ] && return; sleep 0.1; done
  echo "lispd did not start"; cat "$work/lispd.log"; exit 1
}

start
kill -TERM $pid
status=0; wait $pid || status=$?
[ "$status" -eq 0 ] || { echo "SIGTERM: exit status $status"; exit 1; }
[ ! -e "$work/lispd.pid" ] || { echo "pid file left after SIGTERM"; exit 1; }
tail -n 1 "$work/lispd.log" | grep -q "lispd info lispd: stopped (exit status 0)$" \
  || { echo "no 'stopped' line last:"; tail -n 3 "$work/lispd.log"; exit 1; }
echo "SIGTERM: $(tail -n 1 "$work/lispd.log")"

# A sanitizer build keeps its own handler, which reports to stderr.
if grep -qa "__asan_init\|__tsan_init" "$lispd"; then
  echo "SIGSEGV: not checked, lispd is built with a sanitizer"
  exit 0
fi
start
kill -SEGV $pid
status=0; wait $pid || status=$?
[ "$status" -eq $((128 + 11)) ] || { echo "SIGSEGV: exit status $status, not 139"; exit 1; }
grep -q "^lispd fatal: SIGSEGV (signal 11), backtrace:$" "$work/lispd.log" \
  || { echo "no fatal line:"; tail -n 5 "$work/lispd.log"; exit 1; }
frames=$(sed -n '/^lispd fatal/,$p' "$work/lispd.log" | grep -c "lispd(" || true)
[ "$frames" -ge 2 ] || { echo "backtrace has $frames lispd frames"; exit 1; }
echo "SIGSEGV: fatal line and a backtrace of $frames lispd frames, exit status $status"
