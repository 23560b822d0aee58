#!/usr/bin/env bash
# Installs, on Debian 12 as root, what `npm run prebuild` (scripts/prebuild.js) and the package
# test (test/package/) need: Debian's gcc for x86-64 and its aarch64 cross compiler (with the
# arm64 glibc the cross toolchain brings, which qemu also uses to run arm64 Node), musl for x86-64,
# qemu-user-static, and musl for arm64. Debian's musl-dev:arm64 cannot be installed beside the
# amd64 toolchain (it depends on the arm64 gcc), so its two packages are unpacked into the cache
# (${PROCDESC_CACHE:-~/.cache/procdesc-ci}/musl-arm64), at the version of the installed amd64 musl.
# Safe to run again.
set -euo pipefail
cache="${PROCDESC_CACHE:-$HOME/.cache/procdesc-ci}"
export DEBIAN_FRONTEND=noninteractive

dpkg --print-foreign-architectures | grep -qx arm64 || dpkg --add-architecture arm64
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
  gcc g++ binutils gcc-aarch64-linux-gnu g++-aarch64-linux-gnu binutils-aarch64-linux-gnu \
  musl musl-dev musl-tools qemu-user-static >/dev/null

musl_version="$(dpkg-query -W -f='${Version}' musl-dev)"
dir="$cache/musl-arm64"
stamp="$dir/.version"
if [ "$(cat "$stamp" 2>/dev/null)" != "$musl_version" ]; then
  rm -rf "$dir"
  mkdir -p "$dir"
  tmp="$(mktemp -d)"
  chmod 0777 "$tmp"   # apt-get download fetches as the _apt user
  (cd "$tmp" && apt-get download -qq "musl:arm64=$musl_version" "musl-dev:arm64=$musl_version")
  for deb in "$tmp"/*.deb; do dpkg-deb -x "$deb" "$dir"; done
  rm -rf "$tmp"
  echo "$musl_version" > "$stamp"
fi
echo "toolchains: gcc $(gcc -dumpversion), aarch64-linux-gnu-gcc $(aarch64-linux-gnu-gcc -dumpversion)," \
  "musl $musl_version (x64, arm64 in $dir), $(qemu-aarch64-static --version | head -1)"
