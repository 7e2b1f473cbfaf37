#!/bin/sh
# What the npm scripts and cdk8s.yaml start: the runner, scripts/run.cjs, with its arguments.
# NODE_EXTRA_CA_CERTS makes Node.js 20 read and parse a CA bundle at start-up (50 ms and more
# on a busy machine, a sixth of a synth); no command opens a TLS connection, so none needs it.
unset NODE_EXTRA_CA_CERTS
case "$0" in */*) exec node "${0%/*}/run.cjs" "$@" ;; *) exec node run.cjs "$@" ;; esac
