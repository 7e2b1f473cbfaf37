/**
 * Entry for the V8 startup snapshot (`npm run build`): everything main.ts needs is loaded and
 * initialized once at build time, so a synth run starts from a ready heap instead of parsing
 * and running half a megabyte of JavaScript. The behaviour is main.ts's, unchanged.
 */
import { spawnSync } from 'node:child_process';
import fs = require('node:fs');
import os = require('node:os');
import path = require('node:path');
import v8 = require('node:v8');
import { newerThanSnapshot, SNAPSHOT } from './io/build-state';
import { toYaml } from './lib/yaml';
import { main, type Output } from './main';

// Warm-up: the snapshot keeps the bytecode of every function that ran, so everything a synth
// runs is run here. A function first called after the snapshot is loaded is parsed and
// compiled on every synth. Two samples between them take every optional branch (ingress,
// autoscaling, disruption budget, init-container and job migrations, image digests), and
// main() synthesizes them in a scratch folder: reading config, publishing a new output,
// replacing it, --check.
const samples: Record<string, unknown>[] = [
  {
    namespace: 'warm-up-dev',
    app: { image: { repository: 'example.com/backend', tag: '0' }, replicas: 1 },
    settings: { environment: 'dev', logLevel: 'DEBUG', features: ['a:b'] },
    secrets: { name: 'warm-up' },
    database: { egress: { namespace: 'db', podLabels: { app: 'db' } } },
    allowIngressFrom: { namespace: 'warm-up' },
    migration: { strategy: 'initContainer', image: { repository: 'example.com/backend-shell', tag: '0' } },
  },
  {
    namespace: 'warm-up-prod',
    production: true,
    app: {
      image: { repository: 'example.com/backend', tag: '1', digest: `sha256:${'0'.repeat(64)}` },
      autoscaling: { minReplicas: 2, maxReplicas: 3, targetCPUUtilizationPercent: 70 },
      resources: { cpuRequest: '100m', memoryRequest: '128Mi', memoryLimit: '256Mi' },
      podDisruptionBudget: { minAvailable: 1 },
      uploads: { sizeLimit: '1Gi' },
    },
    settings: { environment: 'prod', logLevel: 'INFO', allowedOrigins: ['https://example.com'] },
    secrets: { name: 'warm-up' },
    database: { port: 5432, maxConnections: 200, egress: { cidr: '10.0.0.0/8' } },
    allowIngressFrom: { namespace: 'ingress', podLabels: { app: 'ingress' } },
    ingress: { host: 'api.example.com', className: 'nginx', tlsSecretName: 'tls' },
    migration: {
      strategy: 'job',
      image: { repository: 'example.com/backend-shell', tag: '1', digest: `sha256:${'1'.repeat(64)}` },
      activeDeadlineSeconds: 60,
      backoffLimit: 1,
    },
  },
];
{
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'reviewpoint-warm-up-'));
  try {
    const configDir = path.join(scratch, 'config');
    fs.mkdirSync(configDir);
    for (const sample of samples) fs.writeFileSync(path.join(configDir, `${String(sample.namespace)}.yaml`), toYaml(sample));
    const quiet: Output = { log: () => {}, error: () => {} };
    const args = ['--config', configDir, '--out', path.join(scratch, 'dist')];
    // the first run creates the output folder, the second replaces it
    for (const argv of [args, args, [...args, '--check']]) {
      if (main(argv, {}, quiet) !== 0) throw new Error(`warm-up synth failed: ${argv.join(' ')}`);
    }
    newerThanSnapshot(process.cwd(), process.execPath);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** report straight to the file descriptors: synchronous, and no stream objects to set up */
function writeLine(fd: number, line: string): void {
  const bytes = Buffer.from(`${line}\n`);
  for (let done = 0; done < bytes.length;) {
    try {
      done += fs.writeSync(fd, bytes, done);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // the reader is gone (`| head`): the files are what counts, and the exit code says it
      if (code === 'EPIPE') return;
      // a non-blocking pipe that is full: wait for the reader
      if (code !== 'EAGAIN') throw e;
    }
  }
}
const fdOutput: Output = { log: (line) => writeLine(1, line), error: (line) => writeLine(2, line) };

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
  // every line is written by now: exiting at once skips tearing down a large heap
  process.exit(main(args, process.env, fdOutput));
});
