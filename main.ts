/**
 * Entry point: read the per-environment config files, synthesize every environment, check the
 * result, and publish it to dist/<env>/ in one swap. Environment lookups happen here only.
 *
 *   npm run synth -- [--env NAME[,NAME...]] [--config DIR] [--out DIR] [--check]
 *
 * (scripts/synth.sh runs main() from the esbuild bundle of this file, build/synth.js.)
 * Under `cdk8s synth` (CDK8S_OUTDIR set), the same files are also written to the CLI's output
 * folder, which the CLI empties before each run, for its validation plugins to read.
 */
import path = require('node:path');
import type { EnvironmentConfig } from './lib/config';
import { renderEnvironment, type RenderedEnvironment } from './lib/render';
import { verifyManifests } from './lib/verify';
import { listEnvironments, loadEnvironment, selectEnvironments } from './io/config-files';
import { publish, readTree, writeTree } from './io/publish';

export interface MainOptions {
  readonly environments?: string[];
  readonly configDir: string;
  readonly outDir: string;
  readonly check: boolean;
  /** the cdk8s CLI's output folder, when run by `cdk8s synth` */
  readonly cliOutDir?: string;
}

export function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv): MainOptions {
  let environments: string[] | undefined;
  let configDir = 'config';
  let outDir = 'dist';
  let check = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`option ${arg} needs a value`);
      return v;
    };
    if (arg === '--env') environments = [...(environments ?? []), ...value().split(',').filter(Boolean)];
    else if (arg === '--config') configDir = value();
    else if (arg === '--out') outDir = value();
    else if (arg === '--check') check = true;
    else throw new Error(`unknown option ${arg}; allowed: --env NAME[,NAME], --config DIR, --out DIR, --check`);
  }
  const cliOutDir = env.CDK8S_OUTDIR && path.resolve(env.CDK8S_OUTDIR) !== path.resolve(outDir) ? env.CDK8S_OUTDIR : undefined;
  return { environments, configDir, outDir, check, cliOutDir };
}

/** load, validate, render and check the selected environments; throws on the first bad one */
export function synthesize(options: Pick<MainOptions, 'environments' | 'configDir'>): { all: string[]; rendered: RenderedEnvironment[] } {
  const all = listEnvironments(options.configDir);
  const names = selectEnvironments(options.configDir, all, options.environments);
  // validate every config before rendering any: a typo in prod fails the run for dev too
  const configs: EnvironmentConfig[] = names.map((name) => loadEnvironment(options.configDir, name));
  const rendered = configs.map((c) => renderEnvironment(c));
  // nothing is published unless every environment passes the schema and the security contract
  rendered.forEach((r, i) => verifyManifests(r.objects, { environment: r.name, production: configs[i].production }));
  return { all, rendered };
}

/** where main() reports: a line at a time */
export interface Output {
  log(line: string): void;
  error(line: string): void;
}

const consoleOutput: Output = { log: (line) => console.log(line), error: (line) => console.error(line) };

export function main(argv: readonly string[], env: NodeJS.ProcessEnv, out: Output = consoleOutput): number {
  try {
    const options = parseArgs(argv, env);
    const { all, rendered } = synthesize(options);
    const environments = new Map(rendered.map((r) => [r.name, r.files]));

    if (options.check) return checkUpToDate(options.outDir, environments, all, out);

    const synthesized = new Set(environments.keys());
    publish(options.outDir, { environments, keep: all.filter((e) => !synthesized.has(e)) });
    if (options.cliOutDir) writeTree(options.cliOutDir, environments);
    for (const r of rendered) {
      out.log(`${path.join(options.outDir, r.name)}: ${r.objects.length} objects, ${r.files.size} files`);
    }
    return 0;
  } catch (e) {
    if (e instanceof Error) {
      out.error(`synth failed: ${e.message}`);
      out.error('nothing was written: the previous output is untouched');
      return 1;
    }
    throw e;
  }
}

function checkUpToDate(outDir: string, environments: ReadonlyMap<string, ReadonlyMap<string, string>>, all: readonly string[], out: Output): number {
  const current = readTree(outDir);
  const problems: string[] = [];
  for (const [env, files] of environments) {
    const have = current.get(env) ?? new Map<string, string>();
    for (const [name, content] of files) {
      if (have.get(name) !== content) problems.push(`${path.join(outDir, env, name)} is ${have.has(name) ? 'out of date' : 'missing'}`);
    }
    for (const name of have.keys()) if (!files.has(name)) problems.push(`${path.join(outDir, env, name)} is stale`);
  }
  for (const env of current.keys()) if (!all.includes(env)) problems.push(`${path.join(outDir, env)} has no config file: stale`);
  if (problems.length > 0) {
    out.error(`${outDir} is not what the config synthesizes; run the synth and commit the result:\n  ${problems.join('\n  ')}`);
    return 1;
  }
  out.log(`${outDir} is up to date`);
  return 0;
}
