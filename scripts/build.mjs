// Bundles the app (build/main.js) and the cdk8s validation plugin (build/validation-plugin.js)
// with esbuild: one file each, no TypeScript at run time.
import { build } from 'esbuild';

await build({
  entryPoints: { main: 'main.ts', 'validation-plugin': 'io/validation-plugin.ts' },
  outdir: 'build',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'warning',
});
