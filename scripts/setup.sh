#!/usr/bin/env bash
# Installs what vigil needs to build, test and run the demo, if it is missing.
# Debian packages only; safe to run again.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libcurl4-openssl-dev libssl-dev nlohmann-json3-dev libtomlplusplus-dev libcli11-dev
  libfmt-dev libspdlog-dev libhowardhinnant-date-dev libcairo2-dev libsqlite3-dev
  libcpp-httplib-dev libgtest-dev libgmock-dev libbenchmark-dev
  clickhouse-server clickhouse-client zookeeper fonts-dejavu-core tzdata time curl bc python3
  chromium
)
# Node.js for the browser test (tests/browser): Debian's nodejs and npm, unless node and
# npm are already there (e.g. NodeSource's nodejs, which bundles npm and conflicts with
# Debian's npm package).
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "setup: installing ${missing[*]}" >&2
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
