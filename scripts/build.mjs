// Builds what synth runs, into build/ (not committed; the synth rebuilds it when a source is newer):
// - snapshot-entry.js: the app bundled by esbuild (one file, no TypeScript at run time), and
//   synth.blob, a V8 startup snapshot of it with every module loaded and warmed up, so a synth
//   starts from a ready heap instead of compiling a megabyte of JavaScript;
// - validation-plugin.js: the policy and schema checks for `cdk8s synth`.
//
// Sources import CommonJS modules (node:*, cdk8s-plus-28's generated k8s types) with
// `import x = require('...')`: for `import * as x from '...'` esbuild wraps the module in a new
// object with one getter per export, in every importing file. For the 1.28 API that was
// thousands of closures in the snapshot, deserialized on every synth.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
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

// @kubernetes-models/validate registers the draft 2019 formats (idn-email, iri, ...) that no
// Kubernetes schema uses; they bring an e-mail grammar and URI scheme tables (85 KB). They are
// left out, and the check after the build fails it if a bundled schema ever names one.
const DRAFT_2019_FORMATS = Object.keys(createRequire(import.meta.url)('ajv-formats-draft2019/formats'));
const withoutDraft2019Formats = {
  name: 'without-draft-2019-formats',
  setup(b) {
    b.onResolve({ filter: /^ajv-formats-draft2019\/formats/ }, () => ({ path: 'draft-2019-formats', namespace: 'no-draft-2019' }));
    b.onLoad({ filter: /.*/, namespace: 'no-draft-2019' }, () => ({ contents: 'module.exports = {};', loader: 'js' }));
  },
};

/** the formats the bundled kubernetes-models schemas call for */
function formatsNamed(metafile) {
  const named = new Set();
  for (const input of Object.keys(metafile.inputs).filter((f) => /kubernetes-models\/.*_schemas\//.test(f))) {
    for (const m of readFileSync(input, 'utf8').matchAll(/\bformats(?:\.([\w$]+)|\["([^"]+)"\])/g)) named.add(m[1] ?? m[2]);
  }
  return named;
}

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
  plugins: [englishOnlyAjvMessages, withoutDraft2019Formats],
});
const missing = [...formatsNamed(result.metafile)].filter((f) => DRAFT_2019_FORMATS.includes(f));
if (missing.length > 0) throw new Error(`bundled schemas use the formats ${missing.join(', ')}, which the build leaves out: remove withoutDraft2019Formats`);

// --no-warnings: cdk8s loads child_process (for its Helm support, unused here), and Node warns
// that built-in modules are not all verified inside snapshots
execFileSync(process.execPath, ['--no-warnings', '--snapshot-blob', 'build/synth.blob', '--build-snapshot', 'build/snapshot-entry.js'], { stdio: 'inherit' });
