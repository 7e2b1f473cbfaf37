#!/bin/sh
# Rebuild build/ (scripts/build.mjs) when it is missing, or when any source, the lock file or
# the node binary is newer than the snapshot. Run from the project root.
set -e
node_bin=$(command -v node)
if [ ! -f build/synth.blob ] || [ -n "$(find main.ts snapshot.ts lib io scripts/build.mjs package-lock.json "$node_bin" -newer build/synth.blob -print 2>/dev/null | head -n 1)" ]; then
  node scripts/build.mjs
fi
