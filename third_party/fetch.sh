#!/bin/sh
# Fetch, verify and unpack the pinned library sources listed in versions.txt.
#
#   third_party/fetch.sh OUTDIR
#
# Archives are kept in $TC_CACHE (default ~/.cache/twitter-connector/archives) so a second
# build downloads nothing. Every archive is checked against the SHA-256 pinned in
# versions.txt before it is unpacked; a mismatch stops the build. Sources come from Debian 13
# "trixie" through the Debian mirror this machine's apt already uses, given to apt as options
# so the system's apt configuration is never touched.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: fetch.sh OUTDIR}
cache=${TC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/twitter-connector}
arch="$cache/archives"
mkdir -p "$arch" "$out"

die() { echo "third_party/fetch.sh: $*" >&2; exit 1; }

sha_ok() { # FILE SHA
  [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ]
}

# The Debian mirror apt is configured with (deb822 .sources or one-line .list format).
mirror() {
  uri=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
        awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }')
  if [ -z "$uri" ]; then
    uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
          awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^https?:/ && $i !~ /security/) { print $i; exit } }')
  fi
  [ -n "$uri" ] || die "no Debian mirror found in /etc/apt; configure apt first"
  echo "${uri%/}"
}

apt_lists_ready=""
apt_src() { # PKG=VERSION -> downloads into $arch
  lists="$cache/apt-lists"
  opts="-o Dir::Etc::SourceList=$cache/trixie-src.list -o Dir::Etc::SourceParts=/dev/null
        -o Dir::State::Lists=$lists -o Dir::Cache=$cache/apt-cache -o APT::Sandbox::User=root"
  if [ -z "$apt_lists_ready" ]; then
    mkdir -p "$lists/partial" "$cache/apt-cache/archives/partial"
    echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $(mirror) trixie main" \
      > "$cache/trixie-src.list"
    # shellcheck disable=SC2086
    apt-get -q $opts update >/dev/null || die "apt-get update for trixie sources failed"
    apt_lists_ready=1
  fi
  # shellcheck disable=SC2086
  (cd "$arch" && apt-get -q $opts source --download-only "$1" >/dev/null) ||
    die "apt-get source $1 failed"
}

fetch() { # NAME ARCHIVE SHA ORIGIN
  if sha_ok "$arch/$2" "$3"; then return 0; fi
  case "$4" in
    deb-src:*) apt_src "${4#deb-src:}" ;;
    pool:*) curl -sSf --retry 3 -o "$arch/$2.part" "$(mirror)/${4#pool:}/$2" ||
              die "download of $2 failed"
            mv "$arch/$2.part" "$arch/$2" ;;
    *) die "unknown origin $4 for $1" ;;
  esac
  sha_ok "$arch/$2" "$3" ||
    die "checksum mismatch for $2: expected $3, got $(sha256sum "$arch/$2" | cut -d' ' -f1)"
}

unpack() { # NAME ARCHIVE SHA
  dest="$out/$1"
  [ -f "$dest/.sha256" ] && [ "$(cat "$dest/.sha256")" = "$3" ] && return 0
  rm -rf "$dest" "$dest.tmp" && mkdir -p "$dest.tmp"
  case "$1" in
    llhttp) tar -xJf "$arch/$2" -C "$dest.tmp" --strip-components=3 --wildcards '*/deps/llhttp/*' ;;
    cjson-debian) tar -xJf "$arch/$2" -C "$dest.tmp" ;;
    *) tar -xf "$arch/$2" -C "$dest.tmp" --strip-components=1 ;;
  esac
  echo "$3" > "$dest.tmp/.sha256"
  mv "$dest.tmp" "$dest"
}

grep -v '^#' "$here/versions.txt" | while read -r name _version archive sha origin; do
  [ -n "$name" ] || continue
  fetch "$name" "$archive" "$sha" "$origin"
  unpack "$name" "$archive" "$sha"
done

# cJSON: apply Debian's security patches (listed in its series file) once.
if [ ! -f "$out/cjson/.debian-patched" ]; then
  while read -r p; do
    case "$p" in ''|'#'*) continue ;; esac
    patch -s -d "$out/cjson" -p1 < "$out/cjson-debian/debian/patches/$p" || die "patch $p failed"
  done < "$out/cjson-debian/debian/patches/series"
  touch "$out/cjson/.debian-patched"
fi
# mbedTLS: our own fixes, applied once (see each .patch file's header). The stamp records
# which set was applied; a tree patched with another set is unpacked afresh first.
want=$(cat "$here"/mbedtls-*.patch 2>/dev/null | sha256sum | cut -d' ' -f1)
if [ "$(cat "$out/mbedtls/.tc-patched" 2>/dev/null)" != "$want" ]; then
  if [ -f "$out/mbedtls/.tc-patched" ]; then
    rm -rf "$out/mbedtls"
    grep '^mbedtls ' "$here/versions.txt" | { read -r name _v archive sha _o; unpack "$name" "$archive" "$sha"; }
  fi
  for p in "$here"/mbedtls-*.patch; do
    [ -f "$p" ] || continue
    patch -s -d "$out/mbedtls" -p1 < "$p" || die "patch $p failed"
  done
  echo "$want" > "$out/mbedtls/.tc-patched"
fi
