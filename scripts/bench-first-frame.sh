#!/usr/bin/env bash
# Page load → first decoded frame (issue 6 benchmark): starts the release
# server and headless Chromium in a loopback-only network namespace and runs
# tests/browser/first_frame_bench.mjs. Needs root (unshare -n), chromium and
# tests/browser/node_modules (scripts/setup.sh --test). Run on an idle machine.
#
#   scripts/bench-first-frame.sh [rounds]     # default 5 (5 cold + 5 warm pages)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
rounds="${1:-5}"
bin="${CARGO_TARGET_DIR:-target}/release/avatarcast"
cargo build --release --quiet
log="$(mktemp)"
export NODEVICE_SELECT=1 ROUNDS="$rounds" BIN="$bin" LOG="$log"
unshare -n bash -c '
  set -e
  ip link set lo up
  RUST_LOG=avatarcast=debug "$BIN" serve --bind 127.0.0.1:18080 --max-sessions 4 >"$LOG" 2>&1 &
  server=$!
  trap "kill $server 2>/dev/null" EXIT
  node tests/browser/first_frame_bench.mjs http://127.0.0.1:18080 "$ROUNDS"
'
echo "server timings (answer, connect, first frame):"
grep -o "answered in [0-9.]*ms\|connected [0-9.]*ms\|first video frame sent [0-9.µ]*[m]*s after [a-z ]*\|first frame: render [0-9.]*ms, encode [0-9.]*ms" "$log" | head -40
rm -f "$log"
