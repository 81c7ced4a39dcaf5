#!/bin/sh
# Every file with translatable strings must be listed in po/POTFILES.in,
# and every listed file must exist.
top="$1"
cd "$top" || exit 1
status=0
for f in $(grep -rlE '(^|[^A-Za-z_])(_|N_|C_|NC_)\(|translatable="yes"' src ui data 2>/dev/null | grep -E '\.(c|ui|in|xml)$' | sort); do
  if ! grep -qxF "$f" po/POTFILES.in; then
    echo "missing from po/POTFILES.in: $f"
    status=1
  fi
done
grep -v '^#' po/POTFILES.in | grep -v '^$' | while read -r f; do
  [ -f "$f" ] || { echo "listed in po/POTFILES.in but missing: $f"; exit 1; }
done || status=1
[ $status -eq 0 ] && echo "po/POTFILES.in lists every file with translatable strings"
exit $status
