/**
 * Entry for the V8 startup snapshot (`npm run build`): everything main.ts needs is loaded and
 * initialized once at build time, so a synth run starts from a ready heap instead of parsing
 * and running a megabyte of JavaScript. The behaviour is main.ts's, unchanged.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import { newerThanSnapshot, SNAPSHOT } from './io/build-state';
import { parseEnvironmentConfig } from './lib/config';
import { renderEnvironment } from './lib/render';
import { verifyManifests } from './lib/verify';
import { toYaml } from './lib/yaml';
import { main } from './main';

// One in-memory pass over a sample environment, so the snapshot holds compiled code and warm
// caches for every step. It reads and writes no file.
const sample = {
  namespace: 'warm-up',
  app: { image: { repository: 'example.com/backend', tag: '0' }, replicas: 1 },
  settings: { environment: 'dev' },
  secrets: { name: 'warm-up' },
  database: { egress: { cidr: '10.0.0.0/8' } },
  allowIngressFrom: { namespace: 'warm-up' },
  migration: { strategy: 'job', image: { repository: 'example.com/backend-shell', tag: '0' } },
};
for (let i = 0; i < 3; i++) {
  const config = parseEnvironmentConfig(toYaml(sample), { environment: 'warm-up', file: 'warm-up.yaml' });
  verifyManifests(renderEnvironment(config).objects, { environment: 'warm-up', production: false });
}

v8.startupSnapshot.setDeserializeMainFunction(() => {
  // a snapshot has no script path: argv is [node, ...args]
  const args = process.argv.slice(1);
  const stale = newerThanSnapshot(process.cwd(), process.execPath);
  if (stale) {
    // this heap was built from older code: rebuild, then run the new snapshot instead
    console.error(`${path.relative(process.cwd(), stale) || stale} is newer than ${SNAPSHOT}: rebuilding`);
    const run = (argv: string[]) => spawnSync(process.execPath, argv, { stdio: 'inherit' }).status ?? 1;
    const built = run([`scripts/build.mjs`]);
    process.exitCode = built !== 0 ? built : run(['--snapshot-blob', SNAPSHOT, '--', ...args]);
    return;
  }
  const code = main(args, process.env);
  // Exiting at once skips tearing down a large heap (a few ms). Only when nothing is left to
  // flush: stdout and stderr are synchronous on Linux, but pipes are not everywhere.
  if (process.stdout.writableLength === 0 && process.stderr.writableLength === 0) process.exit(code);
  process.exitCode = code;
});
