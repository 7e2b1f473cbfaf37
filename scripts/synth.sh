#!/bin/sh
# Synthesize dist/ from config/ (arguments go to main.ts: --env, --config, --out, --check).
# The app runs from its V8 snapshot, which rebuilds itself when a source is newer.
set -e
# the repository root, found without running dirname (a fork and exec on every synth)
case "$0" in */*) cd "${0%/*}/.." ;; *) cd .. ;; esac
[ -f build/synth.blob ] || node scripts/build.mjs
# NODE_EXTRA_CA_CERTS makes Node read and parse a CA bundle at start-up (tens of ms); the
# synth opens no network connection, so it runs without it
unset NODE_EXTRA_CA_CERTS
exec node --snapshot-blob build/synth.blob -- "$@"
