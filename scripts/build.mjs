// Builds what synth runs, into build/ (not committed; the synth rebuilds it when a source is newer):
// - snapshot-entry.js: the app bundled by esbuild (one file, no TypeScript at run time), and
//   synth.blob, a V8 startup snapshot of it with every module loaded and warmed up, so a synth
//   starts from a ready heap instead of compiling half a megabyte of JavaScript;
// - validation-plugin.js: the policy and schema checks for `cdk8s synth`.
//
// Sources import CommonJS modules (node:*, cdk8s-plus-28's generated k8s types) with
// `import x = require('...')`: for `import * as x from '...'` esbuild wraps the module in a new
// object with one getter per export, in every importing file. For the 1.28 API that was
// thousands of closures in the snapshot, deserialized on every synth.
import { execFileSync } from 'node:child_process';
import { build } from 'esbuild';

// kubernetes-models is a build-time dependency: scripts/import-schema.mjs reads enumerations
// and formats from it into imports/k8s-1.28-schema.json. Its compiled validators (and ajv) are a
// megabyte of code that every synth would load, so the build fails if anything bundles them.
const BUILD_TIME_ONLY = /node_modules\/(?:kubernetes-models|@kubernetes-models\/|ajv)/;

const result = await build({
  entryPoints: { 'validation-plugin': 'io/validation-plugin.ts', 'snapshot-entry': 'snapshot.ts' },
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
});
const bundled = Object.keys(result.metafile.inputs).filter((f) => BUILD_TIME_ONLY.test(f));
if (bundled.length > 0) throw new Error(`build-time dependencies were bundled: ${bundled.slice(0, 3).join(', ')}${bundled.length > 3 ? ', ...' : ''}`);

// --no-warnings: cdk8s loads child_process (for its Helm support, unused here), and Node warns
// that built-in modules are not all verified inside snapshots
execFileSync(process.execPath, ['--no-warnings', '--snapshot-blob', 'build/synth.blob', '--build-snapshot', 'build/snapshot-entry.js'], { stdio: 'inherit' });
