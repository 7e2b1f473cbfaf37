/**
 * `npm run diff -- --base GITREF [--head GITREF] [--exit-code]`: what a change does to each
 * environment's objects, as Markdown for a pull-request comment. The base's dist/ is read from
 * git; the head is the working tree's dist/ unless --head names a commit.
 */
import fs = require('node:fs');
import path = require('node:path');
import { CORE_SCHEMA, load } from 'js-yaml';
import { diffTrees } from '../lib/review/diff';
import { review } from '../lib/review/report';
import type { Output } from '../main';
import { readFilesAt, readTreeAt, resolveCommit } from './git-tree';
import { readOptions } from './args';
import { readTree } from './publish';

/** the exit code of --exit-code when a production environment changes */
export const PRODUCTION_CHANGES = 2;

export interface DiffOptions {
  readonly base: string;
  readonly head?: string;
  readonly outDir: string;
  readonly configDir: string;
  readonly exitCode: boolean;
}

const USAGE = 'allowed: --base GITREF, --head GITREF, --out DIR, --config DIR, --exit-code';

export function parseDiffArgs(argv: readonly string[]): DiffOptions {
  const o = readOptions(
    argv,
    {
      base: { type: 'string' },
      head: { type: 'string' },
      out: { type: 'string' },
      config: { type: 'string' },
      'exit-code': { type: 'boolean' },
    },
    USAGE,
  );
  if (o.base === undefined) throw new Error(`option --base is missing; ${USAGE}`);
  return {
    base: o.base,
    head: o.head,
    outDir: o.out ?? 'dist',
    configDir: o.config ?? 'config',
    exitCode: o['exit-code'] ?? false,
  };
}

/** prints the review; 0, or PRODUCTION_CHANGES with --exit-code when production changes; 1 on error */
export function runDiff(argv: readonly string[], out: Output, cwd = '.'): number {
  try {
    const options = parseDiffArgs(argv);
    const base = resolveCommit(cwd, options.base);
    const head = options.head === undefined ? undefined : resolveCommit(cwd, options.head);
    const headTree = head ? readTreeAt(cwd, head, options.outDir) : readTree(path.join(cwd, options.outDir));
    const baseTree = readTreeAt(cwd, base, options.outDir);
    const changes = diffTrees(baseTree, headTree);

    // the production profile, from the config of the side the environment is in
    const configPath = (env: string) => path.posix.join(options.configDir, `${env}.yaml`);
    const envs = changes.map((c) => c.environment);
    const headConfigs = head
      ? readFilesAt(cwd, head, envs.map(configPath))
      : new Map(
          envs
            .filter((e) => fs.existsSync(path.join(cwd, configPath(e))))
            .map((e) => [configPath(e), fs.readFileSync(path.join(cwd, configPath(e)), 'utf8')]),
        );
    const baseConfigs = readFilesAt(cwd, base, envs.map(configPath));
    const production = (env: string) => {
      const text = headConfigs.get(configPath(env)) ?? baseConfigs.get(configPath(env));
      const data = text === undefined ? undefined : load(text, { schema: CORE_SCHEMA });
      return (data as { production?: unknown } | undefined)?.production === true;
    };

    const result = review({
      base: options.base,
      head: options.head ? `\`${options.head}\`` : 'the working tree',
      changes,
      production,
    });
    out.log(result.markdown);
    return options.exitCode && result.production.length > 0 ? PRODUCTION_CHANGES : 0;
  } catch (e) {
    if (!(e instanceof Error)) throw e;
    out.error(`diff failed: ${e.message}`);
    return 1;
  }
}
