#!/bin/sh
# One tweet with a large video (default 500 MB) through the whole upload path: fake X media
# server (TLS) -> jobs::make_item_stream (base64, paused when the upload lags) ->
# m365::BlobUploader (Put Block) -> Azurite (TLS). Prints MB/s, CPU and the process's peak RSS
# (VmHWM), then verifies the blob. Needs Node.js and `npm ci --prefix tests` (Azurite).
#   BUILD=build sh tests/bench/item_stream_bench.sh [VIDEO_MB]
set -eu
BUILD=${BUILD:-build}
MB=${1:-500}
echo "--- one item with a $MB MB video, streamed into Azurite over TLS"
"$BUILD/bench/item_stream_bench" "$MB"
