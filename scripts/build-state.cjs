// Is build/ what the sources say? The build records a digest of the bytes of every file it
// bundled (the inputs esbuild reports, read once by the build itself), and every synth compares
// them with the files on disk before it loads the bundle.
//
// Content, not modification times: a file copied with its old mtime (cp -p, rsync -a, tar, a
// branch switch within the same second) changes the bytes, never the verdict. The digests are
// of the bytes esbuild was given, so an edit saved while the build ran differs from them and
// is built on the next run, never lost.
//
// The bundled files under node_modules (about 190 of 220) belong to npm: they stand in the
// record as one file, node_modules/.package-lock.json, npm's list of the installed packages
// with their versions and integrity hashes, which every npm install rewrites. Hashing each of
// them cost 28-67 ms per synth in the benchmark (a fifth of the synth; a file system call is
// slow on the machine measured), the one file under 1 ms. A hand edit inside node_modules is not
// seen (run `npm run build` after one). Without that npm file (another package manager), every
// bundled file is hashed.
//
// Plain CommonJS with no dependencies: it runs before the bundle exists, on every synth, and
// Node.js loads a CommonJS file faster than an ES module.
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const BUNDLE = path.join('build', 'synth.js');
const STATE = path.join('build', 'inputs.json');
/**
 * What shapes the bundle besides the bundled files: the build options, and what decides how
 * imports resolve (the TypeScript settings esbuild reads, and the installed packages and
 * esbuild version, both pinned by the lock file).
 */
const BUILD_FILES = [path.join('scripts', 'build.mjs'), 'tsconfig.json', 'package-lock.json'];
/** npm's record of what it installed, rewritten by every install */
const INSTALLED = path.join('node_modules', '.package-lock.json');

/** is a bundled file one that npm installed? */
function installedByNpm(file) {
  return file.split(/[\\/]/).includes('node_modules');
}

// One buffer for every read: a fresh allocation per file (readFileSync) costs page faults,
// which cost more than the hashing itself on the machine measured.
let buffer;

/** hex SHA-256 of a file's bytes, or undefined when it cannot be read */
function digestFile(file) {
  buffer ??= Buffer.allocUnsafe(1 << 16);
  let fd;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const hash = crypto.createHash('sha256');
    for (let n; (n = fs.readSync(fd, buffer, 0, buffer.length, null)) > 0;) hash.update(buffer.subarray(0, n));
    return hash.digest('hex');
  } finally {
    fs.closeSync(fd);
  }
}

/** hex SHA-256 of bytes the build read itself */
function digestBytes(bytes) {
  return crypto.createHash('sha256').update(bytes).digest('hex');
}

/**
 * Why the build is stale, or undefined when every recorded input still has the bytes that
 * were bundled. `root` is the repository; input paths are relative to it.
 */
function staleReason(root) {
  let state;
  try {
    state = JSON.parse(fs.readFileSync(path.join(root, STATE), 'utf8'));
  } catch {
    return `no build record (${STATE})`;
  }
  const { inputs, outputs } = state ?? {};
  if (!inputs || typeof inputs !== 'object' || !Array.isArray(outputs)) return `${STATE} is not a build record`;
  for (const file of outputs) if (!fs.existsSync(path.join(root, file))) return `${file} is missing`;
  for (const [file, digest] of Object.entries(inputs)) {
    const now = digestFile(path.join(root, file));
    if (now !== digest) return `${file} ${now === undefined ? 'is gone' : 'changed'} since the last build`;
  }
  return undefined;
}

/**
 * Digests of BUILD_FILES and npm's record of the installed packages, taken before the build
 * starts so that an edit (or an install) during it shows.
 */
function digestBuildFiles(root) {
  const inputs = {};
  for (const file of [...BUILD_FILES, INSTALLED]) {
    const digest = digestFile(path.join(root, file));
    if (digest !== undefined) inputs[file] = digest;
  }
  return inputs;
}

/** does the record need a digest of this bundled file, or does npm's record stand for it? */
function needsDigest(inputs, file) {
  return !(INSTALLED in inputs && installedByNpm(file));
}

/** record a finished build: input file -> digest of the bytes built from, and the files written */
function writeState(root, inputs, outputs) {
  writeAtomically(path.join(root, STATE), `${JSON.stringify({ inputs, outputs }, null, 1)}\n`);
}

/** a reader sees the old file or the new one, never half of one (two synths may build at once) */
function writeAtomically(file, content) {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, content);
  fs.renameSync(tmp, file);
}

module.exports = {
  BUNDLE,
  STATE,
  BUILD_FILES,
  INSTALLED,
  digestBuildFiles,
  needsDigest,
  digestBytes,
  digestFile,
  staleReason,
  writeState,
  writeAtomically,
};
