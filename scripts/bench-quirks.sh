#!/usr/bin/env bash
# Times `scimreplay run` (default profile, every scenario) against the embedded reference server:
# once clean, then once per quirk. Prints a Markdown table of seconds per run and exit codes.
#
#   scripts/bench-quirks.sh                 # uses target/release/scimreplay (or target/debug)
#   SCIMREPLAY=path/to/bin scripts/bench-quirks.sh
#   SKIP="slow rate-limit rate-limit-no-retry-after" scripts/bench-quirks.sh   # leave the slow ones out
#
# Snapshots are neither compared nor written (--no-snapshots), so the run only measures replay.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${SCIMREPLAY:-}"
if [[ -z "$bin" ]]; then
  if [[ -x target/release/scimreplay ]]; then bin=target/release/scimreplay; else bin=target/debug/scimreplay; fi
fi
quirks=$("$bin" serve --list-quirks | awk 'NR > 1 && NF { print $1 }')

time_run() {
  local start end code
  start=$(date +%s.%N)
  set +e
  "$bin" run --no-snapshots --color never "$@" >/dev/null 2>&1
  code=$?
  set -e
  end=$(date +%s.%N)
  printf '%.2f %s' "$(echo "$end - $start" | bc)" "$code"
}

echo "| quirk | seconds | exit |"
echo "|---|---:|---:|"
read -r secs code <<<"$(time_run)"
echo "| (none: clean run) | $secs | $code |"
for q in $quirks; do
  [[ " ${SKIP:-} " == *" $q "* ]] && continue
  extra=()
  # Without Retry-After Okta waits 5 minutes (the harness caps it at --max-retry-wait, 30 s by
  # default); the benchmark caps it at 1 s, as the Retry-After of `rate-limit`.
  [[ "$q" == rate-limit-no-retry-after ]] && extra=(--max-retry-wait 1s)
  read -r secs code <<<"$(time_run --quirk "$q" "${extra[@]}")"
  echo "| $q | $secs | $code |"
done
