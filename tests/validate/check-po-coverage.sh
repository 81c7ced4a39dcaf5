#!/bin/sh
# Every message in the sources (as po/POTFILES.in lists them) has its
# translation in zh_CN.po: a string added without one fails here, before a
# user sees English in a Chinese window.
xgettext="$1"; msgcmp="$2"; top="$3"
cd "$top" || exit 1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
"$xgettext" --package-name=jiuzhu --from-code=UTF-8 --add-comments \
  --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 \
  --keyword=g_dcgettext:2 --keyword=g_dngettext:2,3 --keyword=g_dpgettext2:2c,3 \
  --files-from=po/POTFILES.in -D "$top" -o "$tmp/jiuzhu.pot" || exit 1
if ! out=$(LC_ALL=C "$msgcmp" po/zh_CN.po "$tmp/jiuzhu.pot" 2>&1); then
  echo "$out"
  echo "po/zh_CN.po lacks the messages above: run ninja jiuzhu-update-po and translate them"
  exit 1
fi
echo "po/zh_CN.po translates every message of the sources"
