#!/bin/sh
# `make size`: the stripped binary's size and each library's share of it.
#
#   sh tests/bench/size.sh BUILD/twitter-connector BUILD
#
# Method: the binary is linked again exactly as the Makefile links it, plus -Wl,-Map; the copy
# must be byte-identical to the real binary (checked), so the map describes what ships. Then
# every input section the linker kept in a section that occupies file space (not .bss/.tbss,
# not .comment/.debug*) is summed by the archive (or object) it came from. What no input
# section accounts for (ELF and program headers, alignment padding, linker-made tables such
# as .got and .rela.*) is shown as "headers, padding, linker tables".
set -eu
bin=${1:?usage: size.sh BINARY BUILD}
build=${2:?usage: size.sh BINARY BUILD}
CXX=${CXX:-g++}
map="$build/size/twitter-connector.map"
copy="$build/size/twitter-connector"
mkdir -p "$build/size"

libs="$build/lib/libmbedtls.a $build/lib/libmbedx509.a $build/lib/libmbedcrypto.a \
$build/lib/libuv.a $build/lib/libcjson.a $build/lib/libllhttp.a"
# shellcheck disable=SC2086
$CXX -static -s -Wl,--gc-sections "$build/obj/main.o" "$build/libtc.a" $libs \
  -Wl,-Map="$map" -o "$copy" 2>/dev/null
if ! cmp -s "$copy" "$bin"; then
  echo "size.sh: the relinked copy differs from $bin; the Makefile's link line changed." >&2
  echo "size.sh: update the link command in tests/bench/size.sh to match it." >&2
  exit 1
fi
total=$(wc -c < "$bin")

awk -v total="$total" '
function hex(s,   i, c, v) {                  # POSIX awk has no strtonum
  v = 0; s = tolower(substr(s, 3))
  for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
  return v
}
function flush(size, file,   key, n) {
  if (skip || file == "" || size == 0) return
  key = file
  if (key ~ /\)$/) sub(/\(.*$/, "", key)      # archive(member.o) -> archive
  n = split(key, parts, "/"); key = parts[n]
  if (key == "main.o" || key == "libtc.a") key = "our code (libtc.a, main.o)"
  else if (key ~ /^crt/) key = "C runtime startup (crt*.o)"
  else if (key ~ /^libm(-.*)?\.a$|^libmvec\.a$/) key = "libm.a"
  bytes[key] += size
}
/^Linker script and memory map/ { on = 1; next }
!on { next }
/^[^ ]/ {                                     # output section
  out = $1
  skip = (out == ".bss" || out == ".tbss" || out ~ /^\.debug/ || out == ".comment" ||
          out ~ /^\.gnu\.warning/ || out == "/DISCARD/")
  pending = ""
  next
}
/^ [^ *]/ {                                   # input section (size may be on the next line)
  if (NF >= 4 && $2 ~ /^0x/ && $3 ~ /^0x/) { flush(hex($3), $4); pending = "" }
  else if (NF == 1) pending = $1
  next
}
pending != "" && /^ +0x[0-9a-f]+ +0x[0-9a-f]+ +[^ ]/ {
  flush(hex($2), $3); pending = ""; next
}
{ pending = "" }
END {
  for (k in bytes) { printf "%s\t%d\n", k, bytes[k]; sum += bytes[k] }
  printf "headers, padding, linker tables\t%d\n", total - sum
}' "$map" | sort -t "$(printf '\t')" -k2,2nr | awk -F '\t' -v total="$total" '
BEGIN {
  printf "build/twitter-connector: %d bytes stripped (%.2f MB, %.1f KiB)\n\n", total,
    total / 1e6, total / 1024
  printf "  %-34s %10s %7s\n", "from", "bytes", "share"
}
{ printf "  %-34s %10d %6.1f%%\n", $1, $2, 100 * $2 / total }'
echo
echo "(bytes: input sections kept by the linker in file-backed output sections, per archive;"
echo " map: $map)"
