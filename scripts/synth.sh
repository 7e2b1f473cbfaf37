#!/bin/sh
# Synthesize dist/ from config/ (arguments go to main.ts: --env, --config, --out, --check).
# synth.cjs rebuilds the bundle first when a file it was built from has changed.
set -e
# the repository root, found without running dirname (a fork and exec on every synth)
case "$0" in */*) cd "${0%/*}/.." ;; *) cd .. ;; esac
# NODE_EXTRA_CA_CERTS makes Node read and parse a CA bundle at start-up (tens of ms); the
# synth opens no network connection, so it runs without it
unset NODE_EXTRA_CA_CERTS
exec node scripts/synth.cjs "$@"
