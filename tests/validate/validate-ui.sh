#!/bin/sh
# gtk4-builder-tool validate, run with libadwaita's types preloaded. Our own
# template classes (Jz*) are unknown to the tool, so it cannot see their
# properties; those templates are checked for real when the GUI tests
# instantiate them. Every other error fails.
tool="$1"; ui="$2"
out=$("$tool" validate "$ui" 2>&1)
status=$?
[ $status -eq 0 ] && { echo "ok $ui"; exit 0; }
rest=$(printf '%s\n' "$out" | grep -v -E "Type .Jz[A-Za-z]+. does not have a property name" | grep -v '^$')
if [ -n "$rest" ]; then
  printf '%s\n' "$out"
  exit 1
fi
printf '%s\n' "$out"
echo "ok $ui (only properties of our own template classes could not be checked here)"
exit 0
