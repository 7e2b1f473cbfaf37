/**
 * Writing `dist/`: everything is written aside first and swapped in whole, so a failed run
 * (or a crash half-way) never leaves a GitOps working tree with half its manifests.
 */
import fs = require('node:fs');
import path = require('node:path');

export interface OutputTree {
  /** environment name -> (path below the environment's folder, `/`-separated -> content) */
  readonly environments: ReadonlyMap<string, ReadonlyMap<string, string>>;
  /**
   * Environment folders of the previous output to carry over untouched: the ones not
   * synthesized in this run. Anything else in the old tree is dropped (stale files go away).
   */
  readonly keep: readonly string[];
}

/** replace `outDir` with the tree; the old content stays until the new one is complete */
export function publish(outDir: string, tree: OutputTree): void {
  const parent = path.dirname(path.resolve(outDir));
  const base = path.basename(outDir);
  fs.mkdirSync(parent, { recursive: true });
  const staging = fs.mkdtempSync(path.join(parent, `.${base}.new-`));
  try {
    writeTree(staging, tree.environments);
    for (const env of tree.keep) {
      const from = path.join(outDir, env);
      if (fs.existsSync(from)) fs.cpSync(from, path.join(staging, env), { recursive: true });
    }
    swap(outDir, staging);
  } catch (e) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw e;
  }
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

function swap(outDir: string, staging: string): void {
  if (!fs.existsSync(outDir)) {
    fs.renameSync(staging, outDir);
    return;
  }
  const old = `${staging}.old`;
  fs.renameSync(outDir, old);
  try {
    fs.renameSync(staging, outDir);
  } catch (e) {
    fs.renameSync(old, outDir);
    throw e;
  }
  fs.rmSync(old, { recursive: true, force: true });
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
