#!/usr/bin/env bash
# OSS-Fuzz build: the same script as ClusterFuzzLite (fuzz/build-fuzzers.sh).
exec "$SRC/xchat/fuzz/build-fuzzers.sh"
