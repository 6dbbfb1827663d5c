#!/usr/bin/env bash
# run_fuzz.sh TARGET CORPUS_DIR
# Replays the committed corpus through the (ASan/UBSan) target, then fuzzes for
# $LISPMOB_FUZZ_SECONDS more seconds (0: replay only). New inputs go to a
# scratch folder, never into the repository; a failing input is kept in
# $LISPMOB_FUZZ_ARTIFACTS/<target>/ (default /tmp) and fails the test.
set -uo pipefail
target=$1
corpus=$2
seconds=${LISPMOB_FUZZ_SECONDS:-30}
name=$(basename "$target")
artifacts=${LISPMOB_FUZZ_ARTIFACTS:-/tmp}/lispmob-fuzz-$name
scratch=$(mktemp -d)
log=$(mktemp)
trap 'rm -rf "$scratch" "$log"' EXIT
rm -rf "$artifacts" && mkdir -p "$artifacts"
[ -d "$corpus" ] && [ -n "$(ls -A "$corpus")" ] || { echo "empty corpus $corpus"; exit 1; }

if ! "$target" -runs=0 -artifact_prefix="$artifacts/" "$corpus" >"$log" 2>&1; then
  tail -40 "$log"; echo "$name: corpus replay failed"; exit 1
fi
echo "$name: replayed $(ls "$corpus" | wc -l) corpus inputs"
[ "$seconds" -gt 0 ] || exit 0
if ! "$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
     -artifact_prefix="$artifacts/" "$scratch" "$corpus" >"$log" 2>&1; then
  tail -40 "$log"; echo "$name: fuzzing found a failure, input kept in $artifacts"; exit 1
fi
grep -E "stat::number_of_executed_units|stat::new_units_added" "$log" | sed "s/^/$name: /"
