#!/usr/bin/env bash
# Fetches the audio-only lip-sync model into models/headaudio/, idempotently: the npm
# package @met4citizen/headaudio 0.1.0 (MIT, (c) 2025 Mika Suominen) is packed with the
# ordinary npm client, its tarball checked against a pinned sha256, and only the model
# (dist/model-en-mixed.bin: Gaussian prototypes over MFCCs -> Oculus visemes) and the
# licence are kept. avatarcast reads the model with its own Rust code
# (src/visemes/audio/model.rs); none of the package's JavaScript is used. Never commit models/.
#
#   scripts/fetch-lipsync.sh        # uses ./.cache/headaudio for the download
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"

package=@met4citizen/headaudio
version=0.1.0
tarball=met4citizen-headaudio-${version}.tgz
tarball_sha256=4281922839e1ab9732aecffdbd86c92b9e22aca3c72bbaa9901c04abe875131d
model_sha256=0358f68989b5861f9b7d18871b010fa6cbf88a53bda4954a954d8c548bbcf251
dest=models/headaudio

log() { printf '\033[1mfetch-lipsync:\033[0m %s\n' "$*" >&2; }

if [ -f "$dest/model-en-mixed.bin" ] && [ -f "$dest/LICENSE" ] \
  && echo "$model_sha256  $dest/model-en-mixed.bin" | sha256sum -c --status; then
  log "headaudio $version model already in $dest"
  exit 0
fi

command -v npm >/dev/null 2>&1 || {
  log "npm not found: install it (Debian: apt-get install npm) to fetch the lip-sync model"
  exit 1
}
mkdir -p .cache/headaudio
if [ ! -f ".cache/headaudio/$tarball" ] \
  || ! echo "$tarball_sha256  .cache/headaudio/$tarball" | sha256sum -c --status; then
  log "packing $package@$version from the npm registry"
  rm -f ".cache/headaudio/$tarball"
  npm pack --silent --pack-destination .cache/headaudio "$package@$version" >/dev/null
fi
if ! echo "$tarball_sha256  .cache/headaudio/$tarball" | sha256sum -c --status; then
  log "checksum mismatch for .cache/headaudio/$tarball (expected $tarball_sha256); delete it and retry"
  exit 1
fi
mkdir -p "$dest"
tar -xzf ".cache/headaudio/$tarball" -C "$dest" --strip-components=2 package/dist/model-en-mixed.bin
tar -xzf ".cache/headaudio/$tarball" -C "$dest" --strip-components=1 package/LICENSE
echo "$model_sha256  $dest/model-en-mixed.bin" | sha256sum -c --status
log "headaudio $version model unpacked into $dest (MIT, see $dest/LICENSE)"
