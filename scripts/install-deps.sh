#!/usr/bin/env bash
# Installs every Debian 12 package the project needs to build, test, run and benchmark.
# Idempotent: does nothing when everything is present.
source "$(dirname "$0")/lib.sh"

PACKAGES=(
  build-essential g++ cmake ninja-build make pkg-config git ca-certificates curl
  libboost1.74-dev libboost-system1.74-dev
  libssl-dev libpq-dev nlohmann-json3-dev libspdlog-dev libcli11-dev
  libcurl4-openssl-dev libqrencode-dev libpng-dev librdkafka-dev libjemalloc-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  postgresql-15 postgresql-contrib postgresql-client-15
  wrk nginx-light procps python3
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi
log "installing: ${missing[*]}"
as_root apt-get update -qq
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
