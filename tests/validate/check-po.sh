#!/bin/sh
# zh_CN is what users see: every message translated, none fuzzy, valid.
msgfmt="$1"; po="$2"
stats=$(LC_ALL=C "$msgfmt" --check --statistics -o /dev/null "$po" 2>&1) || { echo "$stats"; exit 1; }
echo "$stats"
case "$stats" in
  *untranslated*|*fuzzy*) echo "$po is not complete"; exit 1 ;;
esac
exit 0
