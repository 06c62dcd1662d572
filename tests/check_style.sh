#!/bin/sh
# `make check`: house style, à la curl's checksrc.
#   1. clang-format (.clang-format: Google-based, 100 columns) on every .cc/.h in src/ and tests/;
#   2. banned calls everywhere: sprintf/vsprintf, strcpy, strcat, gets, atoi, system
#      (unbounded or unchecked; use snprintf, std::string, strtol and explicit exec);
#   3. banned in src/ only (the shipped binary): throw (we build with -fno-exceptions),
#      <iostream>, <regex> (size and static-init cost).
# Comments are ignored by the grep. `sh tests/check_style.sh --fix` reformats in place.
set -u
fix=""
[ "${1:-}" = "--fix" ] && fix=1
CLANG_FORMAT=${CLANG_FORMAT:-clang-format}
status=0
files=$(find src tests -name '*.cc' -o -name '*.h' | grep -v '/corpus/' | sort)

if ! command -v "$CLANG_FORMAT" >/dev/null 2>&1; then
  echo "check: $CLANG_FORMAT not found; install it (apt-get install clang-format)" >&2
  exit 2
fi
if [ -n "$fix" ]; then
  # shellcheck disable=SC2086
  "$CLANG_FORMAT" -i --style=file $files
  echo "check: reformatted $(echo "$files" | wc -l) files"
  exit 0
fi

bad_format=""
for f in $files; do
  if ! "$CLANG_FORMAT" --style=file --dry-run --Werror "$f" >/dev/null 2>&1; then
    bad_format="$bad_format $f"
  fi
done
if [ -n "$bad_format" ]; then
  echo "check: not clang-formatted (run: sh tests/check_style.sh --fix):"
  for f in $bad_format; do echo "  $f"; done
  status=1
fi

# Prints FILE:LINE: text for each match of ERE $1 in files $2 with // comments stripped.
grep_code() {
  pattern=$1
  shift
  for f in "$@"; do
    sed -e 's://.*$::' "$f" | grep -nE "$pattern" | sed "s|^|$f:|"
  done
}

calls='(^|[^A-Za-z0-9_.>:])(v?sprintf|strcpy|strcat|gets|atoi|system)[[:space:]]*\('
# shellcheck disable=SC2086
hits=$(grep_code "$calls" $files)
if [ -n "$hits" ]; then
  echo "check: banned call (use snprintf, std::string, strtol, explicit fork/exec):"
  echo "$hits" | sed 's/^/  /'
  status=1
fi

src_files=$(echo "$files" | grep '^src/')
# shellcheck disable=SC2086
hits=$(grep_code '(^|[^A-Za-z0-9_])throw([^A-Za-z0-9_]|$)|#[[:space:]]*include[[:space:]]*<(iostream|regex)>' $src_files)
if [ -n "$hits" ]; then
  echo "check: not allowed in src/ (no exceptions; no <iostream>/<regex> in the binary):"
  echo "$hits" | sed 's/^/  /'
  status=1
fi

[ "$status" -eq 0 ] && echo "check: $(echo "$files" | wc -l) files clean"
exit "$status"
