// What `npm run synth` and `cdk8s synth` run (through synth.sh): check that the bundle is what
// the sources say, rebuild it when not, then run main() from it. The bundle is plain JavaScript
// for Node.js 20 and later, so a different Node.js never calls for a rebuild.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const { createRequire, wrap } = require('node:module');
const path = require('node:path');
const vm = require('node:vm');
const { BUNDLE, digestBytes, staleReason, writeAtomically } = require('./build-state.cjs');

// the repository, also when a project links scripts/ from it (the benchmark, the CLI tests)
const root = path.resolve(__dirname, '..');
const stale = staleReason(root);
if (stale) {
  process.stderr.write(`building ${BUNDLE}: ${stale}\n`);
  try {
    execFileSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' });
  } catch {
    // esbuild has printed what it could not build; the old bundle must not run in its place
    process.stderr.write('synth failed: the build failed\nnothing was written: the previous output is untouched\n');
    process.exit(1);
  }
}

// V8's code cache for the bundle: the bytecode of every function the last uncached synth ran,
// so a synth compiles none of the half megabyte again (Node.js 22 does this itself with
// module.enableCompileCache(); Node.js 20 has only vm.Script). V8 refuses a cache from another
// V8 version or other flags, and then the bundle is compiled as usual and the cache replaced;
// the digest in front of the cache ties it to the exact bundle it was made from.
const file = path.join(root, BUNDLE);
const cacheFile = `${file}.v8-cache`;
const source = fs.readFileSync(file, 'utf8');
const digest = Buffer.from(digestBytes(source), 'hex');
let cached;
try {
  const bytes = fs.readFileSync(cacheFile);
  if (bytes.subarray(0, digest.length).equals(digest)) cached = bytes.subarray(digest.length);
} catch {
  // no cache yet: this run writes it
}
const script = new vm.Script(wrap(source), { filename: file, cachedData: cached });
const bundle = { exports: {} };
script.runInThisContext()(bundle.exports, createRequire(file), bundle, file, path.dirname(file));
process.exitCode = bundle.exports.main(process.argv.slice(2), process.env);
if (cached === undefined || script.cachedDataRejected) {
  try {
    writeAtomically(cacheFile, Buffer.concat([digest, script.createCachedData()]));
  } catch {
    // a read-only checkout synthesizes all the same, compiling every time
  }
}
