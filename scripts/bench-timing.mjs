// Measuring helpers of scripts/bench.mjs: timed runs of a command, interleaved across commands;
// `.ci/run` in a fresh clone; disk use and peak memory; how the report writes medians,
// durations and ratios.
import { execFileSync, spawnSync } from 'node:child_process';
import * as path from 'node:path';

/** the wall time of one run of command `c`, in ms; throws when the command fails */
export function timeOnce(c, root) {
  const [file, argv, cwd, env] = c.cmd();
  const start = process.hrtime.bigint();
  const r = spawnSync(file, argv, {
    cwd: cwd ?? root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
    maxBuffer: 1 << 26,
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${c.label} failed (exit ${r.status}): ${r.stderr}`);
  return ms;
}

/**
 * `warmup` runs, then up to `runs` timed runs of every command (a command's own `runs` can ask
 * for fewer), interleaved round-robin so that machine noise hits all of them alike: the times
 * by command id
 */
export function interleaved(commands, { root, warmup, runs, log }) {
  const samples = Object.fromEntries(commands.map((c) => [c.id, []]));
  const maxRuns = Math.max(...commands.map((c) => c.runs ?? runs));
  log(`timing ${commands.length} commands, ${warmup} warm-up + up to ${maxRuns} runs each, interleaved`);
  for (let round = 0; round < warmup + maxRuns; round++) {
    for (const c of commands) {
      if (round >= warmup + (c.runs ?? runs)) continue;
      const ms = timeOnce(c, root);
      if (round >= warmup) samples[c.id].push(ms);
    }
  }
  return samples;
}

/** what `du -sk` reports, in MB (10^6 bytes, as npm and du -h --si count) */
export function diskMB(dir) {
  const r = spawnSync('du', ['-sk', dir], { encoding: 'utf8' });
  return r.status === 0 ? (Number(r.stdout.split('\t')[0]) * 1024) / 1e6 : undefined;
}

/** `.ci/run` of the committed HEAD in a fresh clone: install, tests, kustomize; one run */
export function ciRun(root, scratch, log) {
  const clone = path.join(scratch, 'ci');
  const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
  execFileSync('git', ['clone', '--quiet', '--no-checkout', root, clone]);
  execFileSync('git', ['checkout', '--quiet', head], { cwd: clone });
  log(`timing .ci/run in a fresh clone of ${head.slice(0, 7)}`);
  const start = process.hrtime.bigint();
  const r = spawnSync('bash', ['.ci/run'], { cwd: clone, stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`.ci/run failed in ${clone}`);
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, nodeModulesMB: diskMB(path.join(clone, 'node_modules')) };
}

/** the peak memory (max RSS, in MiB) of one run of a command [file, argv, cwd] */
export function peakMemoryMiB([file, argv, cwd]) {
  const r = spawnSync('/usr/bin/time', ['-f', '%M', file, ...argv], { cwd, encoding: 'utf8' });
  if (r.status !== 0) return undefined;
  return Number(r.stderr.trim().split('\n').pop()) / 1024;
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
export const fmt = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);
export const ratio = (a, b) => (a !== undefined && b ? `${(a / b).toFixed(2)}x` : 'n/a');
