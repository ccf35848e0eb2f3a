#!/usr/bin/env bash
# Installs every Debian 12 package clawnet needs, then configures and builds.
# Safe to run twice. Usage: scripts/setup.sh [preset]   (default preset: release)
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake ninja-build ccache pkg-config git python3
  libboost1.81-dev libboost-json1.81-dev
  libfmt-dev libsqlite3-dev sqlite3 libcli11-dev
  googletest libgtest-dev libgmock-dev librapidcheck-dev libbenchmark-dev
  libsdl2-dev libsdl2-ttf-dev libpng-dev fonts-dejavu-core xvfb xauth
  libmosquitto-dev mosquitto mosquitto-clients libgpiod-dev libssl-dev
  prometheus-cpp-dev python3-prometheus-client
  chromium
)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The web pages' one dependency (MQTT.js, which clawd serves), the browser tests'
# (playwright-core, driving Debian's chromium: it downloads no browser) and the PubNub
# fixture's tests' (the official pubnub SDK). Installed again only when the lock file
# is newer than the last install.
npm_install() {  # npm_install DIR ARGS...
  local dir=$1
  shift
  if [ -d "$dir/node_modules" ] && [ ! "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    return 0
  fi
  command -v npm >/dev/null || { echo "setup: npm is missing (Node.js 20 or newer)" >&2; exit 1; }
  echo "setup: npm ci in $dir"
  (cd "$dir" && npm ci --no-audit --no-fund "$@")
}
npm_install web --omit=dev
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm_install tests/browser
npm_install tests/pubnub

preset="${1:-release}"
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset"
