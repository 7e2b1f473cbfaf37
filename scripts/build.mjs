// Builds what synth runs, into build/ (not committed; every synth rebuilds it when an input's
// bytes differ from what was built, see build-state.cjs):
// - synth.js: the app (main.ts) bundled by esbuild into one file, so a synth loads no TypeScript
//   and resolves no modules;
// - validation-plugin.js: the policy and schema checks for `cdk8s synth`;
// - inputs.json: the digest of every file bundled, as esbuild was given it (npm's record of
//   the installed packages standing for the files under node_modules).
//
// Sources import CommonJS modules (node:*, cdk8s-plus-28's generated k8s types) with
// `import x = require('...')`: for `import * as x from '...'` esbuild wraps the module in a new
// object with one getter per export, in every importing file.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';
import buildState from './build-state.cjs';

const ROOT = path.resolve(import.meta.dirname, '..');
const { digestBuildFiles, digestBytes, needsDigest, writeAtomically, writeState } = buildState;

// kubernetes-models is a build-time dependency: scripts/import-schema.mjs reads enumerations
// and formats from it into imports/k8s-1.28-schema.json. Its compiled validators (and ajv) are a
// megabyte of code that every synth would load, so the build fails if anything bundles them.
const BUILD_TIME_ONLY = /node_modules\/(?:kubernetes-models|@kubernetes-models\/|ajv)/;

const LOADERS = { '.ts': 'ts', '.mts': 'ts', '.cts': 'ts', '.js': 'js', '.mjs': 'js', '.cjs': 'js', '.json': 'json' };

const inputs = digestBuildFiles(ROOT);

/**
 * Reads every file for esbuild and keeps the digest of exactly those bytes: hashing the files
 * after the build would record an edit saved during it as built.
 */
const recordInputs = {
  name: 'record-inputs',
  setup(b) {
    b.onLoad({ filter: /.*/, namespace: 'file' }, (args) => {
      const loader = LOADERS[path.extname(args.path)];
      if (!loader) throw new Error(`no loader for ${args.path}; allowed: ${Object.keys(LOADERS).join(', ')}`);
      const contents = fs.readFileSync(args.path);
      const file = path.relative(ROOT, args.path);
      if (needsDigest(inputs, file)) inputs[file] = digestBytes(contents);
      return { contents, loader };
    });
  },
};

const result = await build({
  absWorkingDir: ROOT,
  entryPoints: { 'validation-plugin': 'io/validation-plugin.ts', synth: 'main.ts' },
  outdir: 'build',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
  write: false,
  plugins: [recordInputs],
}).catch(() => {
  // esbuild has printed the errors already; nothing was written (write: false)
  process.exit(1);
});
const bundled = Object.keys(result.metafile.inputs);
const buildTimeOnly = bundled.filter((f) => BUILD_TIME_ONLY.test(f));
if (buildTimeOnly.length > 0)
  throw new Error(
    `build-time dependencies were bundled: ${buildTimeOnly.slice(0, 3).join(', ')}${buildTimeOnly.length > 3 ? ', ...' : ''}`,
  );
const unrecorded = bundled.filter((f) => needsDigest(inputs, f) && !(f in inputs));
if (unrecorded.length > 0) throw new Error(`bundled without a recorded digest: ${unrecorded.join(', ')}`);

// each file whole or not at all (another synth may be loading the bundle), the record last:
// a build that stops half-way leaves a record that no longer matches, so the next synth rebuilds
fs.mkdirSync(path.join(ROOT, 'build'), { recursive: true });
for (const file of result.outputFiles) writeAtomically(file.path, file.contents);
writeState(
  ROOT,
  inputs,
  result.outputFiles.map((f) => path.relative(ROOT, f.path)),
);
