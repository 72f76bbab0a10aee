#!/usr/bin/env bash
# Installs every Debian package EST Live needs to build, run and test. Idempotent: installs only what is
# missing. Works as root (CI) and as a user with sudo.
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config
  libboost1.81-dev nlohmann-json3-dev libsqlitecpp-dev libsqlite3-dev libssl-dev libcli11-dev libkainjow-mustache-dev libsodium-dev catch2
  openssh-client  # ssh-keygen: the signed-record tests check our SSHSIG signatures against it
)
if [[ "${EST_WITH_WEB:-1}" == 1 ]]; then
  # poppler-utils: pdftoppm renders a page of the printed picture (PDF) as an image in the browser tests.
  packages+=(nodejs chromium poppler-utils)
  # Debian ships npm separately; some Node.js builds (e.g. NodeSource) bundle it.
  command -v npm >/dev/null 2>&1 || packages+=(npm)
fi
if [[ "${EST_WITH_FUZZ:-0}" == 1 ]]; then
  packages+=(clang libclang-rt-14-dev)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

sudo_cmd=()
[[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
echo "Installing: ${missing[*]}"
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
