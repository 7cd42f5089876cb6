#!/usr/bin/env bash
# ClusterFuzzLite build: the same script as OSS-Fuzz (fuzz/build-fuzzers.sh).
exec "$SRC/xchat/fuzz/build-fuzzers.sh"
