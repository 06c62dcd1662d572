#!/bin/sh
# End-to-end import benchmark: N posts (default 10,000; the shared fixtures replicated with a
# fixed seed, about three in ten with photos, videos or GIFs served by the fake X server)
# imported by the real `twitter-connector serve` into Azurite over TLS, driven as the M365
# platform drives it (configuration, setup flow, OnDownloadRequest tasks, completion at the
# fake Event API). Each storage setting is run with CONNECTOR_UPLOAD_CONCURRENCY=8 and with =1
# (the reference's sequential model, the peer) and prints the ratio; LATENCY_MS (default 10)
# adds a run pair behind a proxy that delays every storage round trip by that much, as real
# Azure Blob Storage does (0: local Azurite only). Driver: tests/bench/import_bench.js.
#   BUILD=build [TASKS=4] [LATENCY_MS=10] sh tests/bench/import_bench.sh [N]
set -eu
BUILD=${BUILD:-build}
N=${1:-10000}
exec node tests/bench/import_bench.js --bin "$BUILD/twitter-connector" --tweets "$N" \
  --tasks "${TASKS:-4}" --latency-ms "${LATENCY_MS:-10}" --concurrency "${CONCURRENCY:-8,1}" \
  --deadline-s "${DEADLINE_S:-3600}"
