// Builds what synth runs, into build/ (not committed; the synth rebuilds it when a source is newer):
// - snapshot-entry.js: the app bundled by esbuild (one file, no TypeScript at run time), and
//   synth.blob, a V8 startup snapshot of it with every module loaded and warmed up, so a synth
//   starts from a ready heap instead of compiling a megabyte of JavaScript;
// - validation-plugin.js: the policy and schema checks for `cdk8s synth`.
import { execFileSync } from 'node:child_process';
import { build } from 'esbuild';

// @kubernetes-models/validate localizes ajv's messages with ajv-i18n's `en`, and ajv-i18n's
// index loads every language: bundle the English one alone (90 KB less to load per synth).
const englishOnlyAjvMessages = {
  name: 'english-only-ajv-messages',
  setup(b) {
    b.onResolve({ filter: /^ajv-i18n$/ }, () => ({ path: 'ajv-i18n', namespace: 'ajv-i18n-en' }));
    b.onLoad({ filter: /.*/, namespace: 'ajv-i18n-en' }, () => ({
      contents: "module.exports = { en: require('ajv-i18n/localize/en') };",
      resolveDir: process.cwd(),
      loader: 'js',
    }));
  },
};

await build({
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
  plugins: [englishOnlyAjvMessages],
});

// --no-warnings: cdk8s loads child_process (for its Helm support, unused here), and Node warns
// that built-in modules are not all verified inside snapshots
execFileSync(process.execPath, ['--no-warnings', '--snapshot-blob', 'build/synth.blob', '--build-snapshot', 'build/snapshot-entry.js'], { stdio: 'inherit' });
