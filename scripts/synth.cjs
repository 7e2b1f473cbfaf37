// What `npm run synth` and `cdk8s synth` run (through synth.sh): check that the bundle is what
// the sources say, rebuild it when not, then run main() from it. The bundle is plain JavaScript
// for Node.js 20 and later, so a different Node.js never calls for a rebuild.
'use strict';
const { execFileSync } = require('node:child_process');
const path = require('node:path');
const { BUNDLE, staleReason } = require('./build-state.cjs');

// the repository, also when a project links scripts/ from it (the benchmark, the CLI tests)
const root = path.resolve(__dirname, '..');
const stale = staleReason(root);
if (stale) {
  process.stderr.write(`building ${BUNDLE}: ${stale}\n`);
  execFileSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' });
}
process.exitCode = require(path.join(root, BUNDLE)).main(process.argv.slice(2), process.env);
