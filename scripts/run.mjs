// Runs one of this repository's TypeScript commands (scripts/<name>.ts) with plain node:
// esbuild bundles the command's own code into build/<name>.js (not committed) and it runs in
// this process, with node_modules left as they are. Apart from scripts/build.mjs on purpose:
// that build makes the synth's start-up snapshot; these commands run now and then, in a
// pipeline or by hand, and need nothing of it.
//
//   node scripts/run.mjs scripts/set-image.ts --env prod --app REF
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { build } from 'esbuild';

const [entry, ...args] = process.argv.slice(2);
if (!entry || !entry.endsWith('.ts')) {
  console.error('usage: node scripts/run.mjs scripts/<command>.ts [arguments]');
  process.exit(1);
}
const outfile = path.resolve('build', `${path.basename(entry, '.ts')}.js`);
await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  packages: 'external',
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'inline',
  logLevel: 'warning',
});
// the command reads its arguments from process.argv, as if run directly
process.argv = [process.argv[0], outfile, ...args];
createRequire(import.meta.url)(outfile);
