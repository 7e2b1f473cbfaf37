/**
 * `npm run diff -- --base GITREF [--head GITREF] [--exit-code]`: what a change does to each
 * environment's objects, as Markdown for a pull-request comment. The base's dist/ is read from
 * git; the head is the working tree's dist/ unless --head names a commit.
 */
import path = require('node:path');
import { diffTrees } from '../lib/review/diff';
import { review } from '../lib/review/report';
import type { Output } from '../main';
import { readTreeAt, resolveCommit } from './git-tree';
import { readOptions } from './args';
import { isReportable } from './errors';
import { readTree } from './publish';

/** the exit code of --exit-code when an environment that is production on either side changes */
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
    // a misspelt --out would read as every environment removed, or as nothing at all
    const headTree = head ? readTreeAt(cwd, head, options.outDir) : readTree(path.join(cwd, options.outDir));
    if (headTree.size === 0) {
      const where = head ? `commit ${options.head}` : 'the working tree';
      throw new Error(
        `option --out ${options.outDir}: no such output folder in ${where} (no environment folder below it); allowed: the folder the synth writes, dist unless --out told it otherwise`,
      );
    }
    const baseTree = readTreeAt(cwd, base, options.outDir);
    // an environment is production when either side says so (lib/review/diff.ts): a change
    // that drops the mark is a production change
    const changes = diffTrees(baseTree, headTree);
    const result = review({
      base: options.base,
      head: options.head ? `\`${options.head}\`` : 'the working tree',
      changes,
    });
    out.log(result.markdown);
    return options.exitCode && result.production.length > 0 ? PRODUCTION_CHANGES : 0;
  } catch (e) {
    if (!isReportable(e)) throw e;
    out.error(`diff failed: ${e.message}`);
    return 1;
  }
}
