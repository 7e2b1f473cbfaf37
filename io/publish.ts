/**
 * Writing `dist/`: everything is written aside first (`.dist.new-*`) and swapped in whole, so a
 * failed run never leaves a GitOps working tree with half its manifests; a run killed half-way
 * leaves folders beside it that the next run puts right (repairLeftovers). Only a folder the
 * synth wrote is replaced (checkOutputFolder).
 */
import fs = require('node:fs');
import path = require('node:path');
import { generatedHeader, KUSTOMIZATION_FILE } from '../lib/render';

export interface OutputTree {
  /** environment name -> (path below the environment's folder, `/`-separated -> content) */
  readonly environments: ReadonlyMap<string, ReadonlyMap<string, string>>;
  /**
   * Environment folders of the previous output to carry over untouched: the ones not
   * synthesized in this run. Anything else in the old tree is dropped (stale files go away).
   */
  readonly keep: readonly string[];
}

/**
 * A step of the swap where a test stands in for a crash (it copies the disk as it is) or an I/O
 * error (it throws): `swap`, between the two renames; `remove-old`, before the old tree goes.
 */
export type FaultHook = (step: 'swap' | 'remove-old') => void;

/** a failure after something was written: `state` says what the output folder holds now */
export class PublishError extends Error {
  constructor(
    message: string,
    readonly state: string,
  ) {
    super(message);
    this.name = 'PublishError';
  }
}

/** the folders a run keeps beside the output while it works: `.dist.new-*` and `.dist.old-*` */
function siblings(outDir: string): { parent: string; newPrefix: string; oldPrefix: string } {
  const out = path.resolve(outDir);
  const base = path.basename(out);
  return { parent: path.dirname(out), newPrefix: `.${base}.new-`, oldPrefix: `.${base}.old-` };
}

/**
 * Replace `outDir` with the tree; the old content stays until the new one is complete. The
 * caller holds the output's lock (io/output-lock.ts) and has checked the folder
 * (checkOutputFolder).
 * @returns what the user should know although the output was published
 * @throws PublishError when the output folder is no longer what it was; any other error: untouched
 */
export function publish(outDir: string, tree: OutputTree, fault?: FaultHook): string[] {
  const { parent, newPrefix } = siblings(outDir);
  fs.mkdirSync(parent, { recursive: true });
  const staging = fs.mkdtempSync(path.join(parent, newPrefix));
  try {
    writeTree(staging, tree.environments);
    for (const env of tree.keep) {
      const from = path.join(outDir, env);
      if (fs.existsSync(from)) fs.cpSync(from, path.join(staging, env), { recursive: true });
    }
    return swap(outDir, staging, fault);
  } catch (e) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw e;
  }
}

function swap(outDir: string, staging: string, fault?: FaultHook): string[] {
  if (!fs.existsSync(outDir)) {
    fs.renameSync(staging, outDir);
    return [];
  }
  const { parent, newPrefix, oldPrefix } = siblings(outDir);
  const old = path.join(parent, oldPrefix + path.basename(staging).slice(newPrefix.length));
  fs.renameSync(outDir, old);
  try {
    fault?.('swap');
    fs.renameSync(staging, outDir);
  } catch (e) {
    try {
      fs.renameSync(old, outDir);
    } catch (back) {
      throw new PublishError(
        `could not move the new output to ${outDir}: ${(e as Error).message}; nor the previous one back: ${(back as Error).message}`,
        `the previous output is in ${old}: the next run puts it back once ${outDir} is gone or empty`,
      );
    }
    throw e;
  }
  try {
    fault?.('remove-old');
    fs.rmSync(old, { recursive: true, force: true });
  } catch (e) {
    return [
      `${outDir} holds the new output, but the previous one could not be deleted from ${old}: ${(e as Error).message}; the next run deletes it`,
    ];
  }
  return [];
}

/**
 * Put right what a run killed half-way left beside the output: when the output folder is gone
 * (killed between the two renames of the swap) the previous output comes back from its
 * `.old-` folder; every other leftover is deleted. A leftover is kept while the output folder
 * holds something that is not an output (checkOutputFolder then refuses the run).
 * @returns one line per repair, for the user
 */
export function repairLeftovers(outDir: string): string[] {
  const { parent, newPrefix, oldPrefix } = siblings(outDir);
  if (!fs.existsSync(parent)) return [];
  const leftovers = fs.readdirSync(parent).filter((n) => n.startsWith(newPrefix) || n.startsWith(oldPrefix));
  if (leftovers.length === 0) return [];
  const notes: string[] = [];
  const at = (name: string) => path.join(parent, name);
  if (!fs.existsSync(outDir) || isEmptyFolder(outDir)) {
    // the last complete output: the newest previous tree (a staging tree may be half-written)
    const newest = leftovers
      .filter((n) => n.startsWith(oldPrefix))
      .sort((a, b) => fs.statSync(at(b)).mtimeMs - fs.statSync(at(a)).mtimeMs)[0];
    if (newest !== undefined) {
      fs.rmSync(outDir, { recursive: true, force: true });
      fs.renameSync(at(newest), outDir);
      notes.push(`${outDir} was missing after an interrupted run: restored the previous output from ${at(newest)}`);
    }
  } else if (outputProblem(outDir) !== undefined) {
    return notes;
  }
  for (const name of leftovers.filter((n) => fs.existsSync(at(n)))) {
    fs.rmSync(at(name), { recursive: true, force: true });
    notes.push(`deleted ${at(name)}, left by an interrupted run`);
  }
  return notes;
}

/**
 * Publishing replaces the output folder whole, so it must be one this synth wrote: empty or
 * missing, or every entry an environment folder whose kustomization.yaml carries the synth's
 * header for that environment. A `.git`, the config folder or the repository root is refused.
 * @throws Error naming the folder, the first entries the synth did not write, and what is allowed
 */
export function checkOutputFolder(outDir: string, configDir: string): void {
  const out = path.resolve(outDir);
  const config = path.resolve(configDir);
  const within = (dir: string, inner: string) => inner === dir || inner.startsWith(dir + path.sep);
  if (within(out, config)) {
    throw new Error(
      `option --out ${outDir}: it ${out === config ? 'is' : 'holds'} the config folder ${configDir}, and publishing replaces the output folder whole; allowed: a folder of its own, such as dist`,
    );
  }
  if (within(config, out)) {
    throw new Error(
      `option --out ${outDir}: it is inside the config folder ${configDir}; allowed: a folder outside it, such as dist`,
    );
  }
  const problem = outputProblem(outDir);
  if (problem !== undefined) {
    throw new Error(
      `option --out ${outDir}: ${problem}, and publishing replaces the output folder whole; allowed: an empty or missing folder, or one the synth wrote (an environment folder per entry, each with its generated ${KUSTOMIZATION_FILE})`,
    );
  }
}

/** why a folder is not a previous output, or undefined when it is one (or missing, or empty) */
function outputProblem(outDir: string): string | undefined {
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(outDir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  if (!stat.isDirectory()) return 'it is not a folder';
  const foreign = fs
    .readdirSync(outDir, { withFileTypes: true })
    .filter((entry) => !entry.isDirectory() || !isGeneratedEnvironment(path.join(outDir, entry.name), entry.name))
    .map((entry) => entry.name)
    .sort();
  if (foreign.length === 0) return undefined;
  const shown = foreign.slice(0, 3).map((name) => path.join(outDir, name));
  return `the synth did not write ${shown.join(', ')}${foreign.length > 3 ? ` and ${foreign.length - 3} more` : ''}`;
}

function isGeneratedEnvironment(dir: string, environment: string): boolean {
  try {
    return fs.readFileSync(path.join(dir, KUSTOMIZATION_FILE), 'utf8').startsWith(generatedHeader(environment));
  } catch {
    return false;
  }
}

function isEmptyFolder(dir: string): boolean {
  return fs.lstatSync(dir).isDirectory() && fs.readdirSync(dir).length === 0;
}

/** write the files of every environment below `dir` (used for the staging tree and the CLI's outdir) */
export function writeTree(dir: string, environments: ReadonlyMap<string, ReadonlyMap<string, string>>): void {
  for (const [env, files] of environments) {
    const envDir = path.join(dir, env);
    const folders = new Set(['', ...[...files.keys()].map((name) => path.posix.dirname(name))]);
    for (const folder of folders) fs.mkdirSync(path.join(envDir, folder), { recursive: true });
    for (const [name, content] of files) fs.writeFileSync(path.join(envDir, name), content);
  }
}

/** the current tree, for --check: environment -> (path below its folder -> content) */
export function readTree(outDir: string): Map<string, Map<string, string>> {
  const tree = new Map<string, Map<string, string>>();
  if (!fs.existsSync(outDir)) return tree;
  for (const env of fs.readdirSync(outDir, { withFileTypes: true })) {
    if (!env.isDirectory()) continue;
    const files = new Map<string, string>();
    readFolder(path.join(outDir, env.name), '', files);
    tree.set(env.name, files);
  }
  return tree;
}

function readFolder(dir: string, prefix: string, files: Map<string, string>): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const name = prefix + entry.name;
    if (entry.isDirectory()) readFolder(path.join(dir, entry.name), `${name}/`, files);
    else files.set(name, fs.readFileSync(path.join(dir, entry.name), 'utf8'));
  }
}
