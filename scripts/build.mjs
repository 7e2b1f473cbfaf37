// Bundles the app into build/main.js with esbuild: one file, no TypeScript at run time.
import { build } from 'esbuild';

await build({
  entryPoints: { main: 'main.ts' },
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
