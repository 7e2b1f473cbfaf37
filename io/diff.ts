/**
 * `npm run diff -- --base GITREF [--head GITREF] [--exit-code]`: what a change does to each
 * environment's objects, as Markdown for a pull-request comment. The base's dist/ is read from
 * git; the head is the working tree's dist/ unless --head names a commit.
 */
import path = require('node:path');
import { diffTrees } from '../lib/review/diff';
import { isProductionOutput } from '../lib/render';
import { review } from '../lib/review/report';
import type { Output } from '../main';
import { readTreeAt, resolveCommit } from './git-tree';
import { readOptions } from './args';
import { isReportable } from './errors';
import { readTree } from './publish';

/** the exit code of --exit-code when a production environment changes */
export const PRODUCTION_CHANGES = 2;

export interface DiffOptions {
  readonly base: string;
  readonly head?: string;
  readonly outDir: string;
  readonly exitCode: boolean;
}

const USAGE = 'allowed: --base GITREF, --head GITREF, --out DIR, --exit-code';

export function parseDiffArgs(argv: readonly string[]): DiffOptions {
  const o = readOptions(
    argv,
    {
      base: { type: 'string' },
      head: { type: 'string' },
      out: { type: 'string' },
      'exit-code': { type: 'boolean' },
    },
    USAGE,
  );
  if (o.base === undefined) throw new Error(`option --base is missing; ${USAGE}`);
  return {
    base: o.base,
    head: o.head,
    outDir: o.out ?? 'dist',
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

    // the production profile, as the synth marked it on the side the environment is in
    const production = (env: string) => {
      const files = headTree.get(env) ?? baseTree.get(env);
      return files !== undefined && isProductionOutput(files);
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
    if (!isReportable(e)) throw e;
    out.error(`diff failed: ${e.message}`);
    return 1;
  }
}
