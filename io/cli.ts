/**
 * The command line around the app (main.ts): options, publishing dist/ in one swap, and what the
 * user is told. Environment lookups happen here only.
 *
 * Under `cdk8s synth` (CDK8S_OUTDIR set), the same files are also written to the CLI's output
 * folder, which the CLI empties before each run, for its validation plugins to read.
 */
import path = require('node:path');
import { isProductionOutput } from '../lib/render';
import type { SynthOptions, Synthesized } from '../lib/app/synthesis';
import { readOptions } from './args';
import { configFile } from './config-files';
import { isReportable } from './errors';
import { withOutputLock } from './output-lock';
import {
  checkOutputFolder,
  publish,
  PublishError,
  readTree,
  repairLeftovers,
  writeTree,
  type FaultHook,
} from './publish';

export const USAGE = `usage: npm run synth -- [options]    (or: npx cdk8s synth --no-check-upgrade)

Synthesizes dist/<env>/ from config/<env>.yaml for every environment, after the config, schema,
API server, policy and delivery checks passed; a failed run writes nothing.

options:
  --env NAME[,NAME...]  synthesize only these environments; the others' output is kept
  --config DIR          the config folder (default: config)
  --out DIR             the output folder (default: dist): empty, missing, or one the synth wrote
  --check               write nothing; fail if the output folder is not what the config synthesizes
  --remove NAME[,NAME]  allow removing the output of these production environments, whose config
                        file is gone (other environments' output goes with their file)
  --help                this text`;

export interface CliOptions {
  readonly help: boolean;
  readonly environments?: string[];
  readonly configDir: string;
  readonly outDir: string;
  readonly check: boolean;
  /** production environments whose output may go */
  readonly remove: readonly string[];
  /** the cdk8s CLI's output folder, when run by `cdk8s synth` */
  readonly cliOutDir?: string;
}

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  env: { type: 'string', multiple: true },
  config: { type: 'string' },
  out: { type: 'string' },
  check: { type: 'boolean' },
  remove: { type: 'string', multiple: true },
} as const;

export function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv): CliOptions {
  const o = readOptions(
    argv,
    OPTIONS,
    'allowed: --env NAME[,NAME], --config DIR, --out DIR, --check, --remove NAME[,NAME], --help (npm run synth -- --help)',
  );
  const outDir = o.out ?? 'dist';
  const cliOutDir =
    env.CDK8S_OUTDIR && path.resolve(env.CDK8S_OUTDIR) !== path.resolve(outDir) ? env.CDK8S_OUTDIR : undefined;
  return {
    help: o.help ?? false,
    environments: o.env,
    configDir: o.config ?? 'config',
    outDir,
    check: o.check ?? false,
    remove: o.remove ?? [],
    cliOutDir,
  };
}

/** where main() reports: a line at a time */
export interface Output {
  log(line: string): void;
  error(line: string): void;
}

const consoleOutput: Output = { log: (line) => console.log(line), error: (line) => console.error(line) };

/** the app's side: config in, checked and rendered environments out (main.ts's synthesize) */
export type Synthesize = (options: SynthOptions) => Synthesized;

/** run the command line; the exit code. `fault` is a test's stand-in for a crash in the swap */
export function runCli(
  synthesize: Synthesize,
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  out: Output = consoleOutput,
  fault?: FaultHook,
): number {
  try {
    const options = parseArgs(argv, env);
    if (options.help) {
      out.log(USAGE);
      return 0;
    }
    if (options.check) {
      const { all, rendered, warnings } = synthesize(options);
      for (const w of warnings) out.error(w);
      const environments = new Map(rendered.map((r) => [r.name, r.files]));
      return checkUpToDate(options.outDir, environments, readTree(options.outDir), all, out);
    }
    // one run at a time per output: each stages the environments it does not synthesize from
    // the tree it finds, so a second run swapping in later would drop the first one's
    return withOutputLock(options.outDir, () => synthesizeAndPublish(synthesize, options, out, fault), {
      onWait: (line) => out.error(line),
    });
  } catch (e) {
    if (isReportable(e)) {
      out.error(`synth failed: ${e.message}`);
      out.error(e instanceof PublishError ? e.state : 'nothing was written: the previous output is untouched');
      return 1;
    }
    throw e;
  }
}

/** under the output's lock: repair a killed run's leftovers, check the folder, synthesize, publish */
function synthesizeAndPublish(synthesize: Synthesize, options: CliOptions, out: Output, fault?: FaultHook): number {
  const repairs = repairLeftovers(options.outDir);
  for (const note of repairs) out.error(note);
  try {
    return checkAndPublish(synthesize, options, out, fault);
  } catch (e) {
    if (repairs.length === 0 || !(e instanceof Error) || e instanceof PublishError) throw e;
    throw new PublishError(
      e.message,
      'nothing was written but the repair above: the previous output is as the interrupted run found it',
    );
  }
}

function checkAndPublish(synthesize: Synthesize, options: CliOptions, out: Output, fault?: FaultHook): number {
  checkOutputFolder(options.outDir, options.configDir);
  const { all, rendered, warnings } = synthesize(options);
  // printed and not fatal: a placeholder outside production
  for (const w of warnings) out.error(w);
  const environments = new Map(rendered.map((r) => [r.name, r.files]));
  const previous = readTree(options.outDir);

  // an environment whose config is gone leaves dist/ with it, and a GitOps engine that prunes
  // deletes it from the cluster: for production that takes an explicit word
  const removed = [...previous.keys()].filter((e) => !all.includes(e)).sort();
  const kept = removed.filter((e) => isProductionOutput(previous.get(e)!) && !options.remove.includes(e));
  if (kept.length > 0) {
    throw new Error(
      kept
        .map(
          (e) =>
            `${configFile(options.configDir, e)} is gone, and ${path.join(options.outDir, e)} is a production environment's output: ` +
            `removing it would make Argo CD or Flux delete "${e}" from its cluster; allowed: restore the file, or confirm with npm run synth -- --remove ${e}`,
        )
        .join('\n'),
    );
  }

  const synthesized = new Set(environments.keys());
  const notes = publish(options.outDir, { environments, keep: all.filter((e) => !synthesized.has(e)) }, fault);
  if (options.cliOutDir) {
    try {
      writeTree(options.cliOutDir, environments);
    } catch (e) {
      throw new PublishError(
        `could not write the copy for the cdk8s CLI to ${options.cliOutDir}: ${(e as Error).message}`,
        `${options.outDir} holds the new output; ${options.cliOutDir} may be incomplete`,
      );
    }
  }
  for (const r of rendered)
    out.log(
      `${path.join(options.outDir, r.name)}: ${r.objects.length} objects; ${changes(previous.get(r.name), r.files)}`,
    );
  for (const e of removed)
    out.log(`${path.join(options.outDir, e)}: removed, since ${configFile(options.configDir, e)} is gone`);
  for (const note of notes) out.error(note);
  return 0;
}

/** "2 files added, 1 changed, 0 removed, 18 unchanged" */
function changes(before: ReadonlyMap<string, string> | undefined, after: ReadonlyMap<string, string>): string {
  const old = before ?? new Map<string, string>();
  let added = 0;
  let changed = 0;
  let unchanged = 0;
  for (const [name, content] of after) {
    if (!old.has(name)) added++;
    else if (old.get(name) === content) unchanged++;
    else changed++;
  }
  const removed = [...old.keys()].filter((name) => !after.has(name)).length;
  return `${added} files added, ${changed} changed, ${removed} removed, ${unchanged} unchanged`;
}

function checkUpToDate(
  outDir: string,
  environments: ReadonlyMap<string, ReadonlyMap<string, string>>,
  current: ReadonlyMap<string, ReadonlyMap<string, string>>,
  all: readonly string[],
  out: Output,
): number {
  const problems: string[] = [];
  for (const [env, files] of environments) {
    const have = current.get(env) ?? new Map<string, string>();
    for (const [name, content] of files) {
      if (have.get(name) !== content)
        problems.push(`${path.join(outDir, env, name)} is ${have.has(name) ? 'out of date' : 'missing'}`);
    }
    for (const name of have.keys()) if (!files.has(name)) problems.push(`${path.join(outDir, env, name)} is stale`);
  }
  for (const env of current.keys())
    if (!all.includes(env)) problems.push(`${path.join(outDir, env)} has no config file: stale`);
  if (problems.length > 0) {
    out.error(
      `${outDir} is not what the config synthesizes:\n  ${problems.join('\n  ')}\n` +
        `run: npm run synth${outDir === 'dist' ? '' : ` -- --out ${outDir}`}, then commit ${outDir}/`,
    );
    return 1;
  }
  out.log(`${outDir} is up to date`);
  return 0;
}
