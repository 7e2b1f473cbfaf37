#!/bin/sh
# Synthesize dist/ from config/ (arguments go to main.ts: --env, --config, --out, --check):
# rebuild the app if its sources changed, then run it from its V8 snapshot.
set -e
cd "$(dirname "$0")/.."
. scripts/ensure-build.sh
# NODE_EXTRA_CA_CERTS makes Node read and parse a CA bundle at start-up (tens of ms); the
# synth opens no network connection, so it runs without it
exec env -u NODE_EXTRA_CA_CERTS node --snapshot-blob build/synth.blob -- "$@"
