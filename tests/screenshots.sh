#!/bin/bash
# tests/screenshots.sh SOURCE_ROOT BUILD_ROOT OUT_DIR
#
# Draws every area of the app, and a person's file, in Chinese with
# build-aux/screenshot on a profile filled by `jiuzhu-cli demo`, into
# OUT_DIR/AREA-zh_CN.png, and
# checks each is a picture of the whole window with something drawn in it.
# Look at them: they are what a station worker sees.
set -eu
src=$1 build=$2 out=$3
export JIUZHU_BUILD_DIR="$build"
export JIUZHU_DATA_DIR
JIUZHU_DATA_DIR=$(mktemp -d)
trap 'rm -rf "$JIUZHU_DATA_DIR"' EXIT
mkdir -p "$out"

cli="$build/src/cli/jiuzhu-cli"
"$cli" --profile shots init --station-code 320481-01 --station-name "溧阳市救助管理站" >/dev/null
"$cli" --profile shots demo --people 300 --seed 7 >/dev/null

for area in today cases case intake outreach tracing followups reports sync; do
  png="$out/$area-zh_CN.png"
  rm -f "$png"
  "$src/build-aux/screenshot" --profile shots --view "$area" --lang zh_CN --size 1024x768 "$png" >/dev/null
  python3 - "$png" <<'PY'
import struct, sys, zlib
path = sys.argv[1]
data = open(path, 'rb').read()
if data[:8] != b'\x89PNG\r\n\x1a\n':
    sys.exit('%s is not a PNG' % path)
width, height = struct.unpack('>II', data[16:24])
if width < 1000 or height < 700:
    sys.exit('%s is %dx%d, not the whole window' % (path, width, height))
# A window with text and widgets compresses far worse than an empty one.
if len(data) < 20000:
    sys.exit('%s holds almost nothing (%d bytes)' % (path, len(data)))
PY
  echo "ok $area: $png"
done
