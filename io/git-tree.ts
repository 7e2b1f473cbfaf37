/**
 * Reading files of a commit without checking it out: `git ls-tree` for the names, one
 * `git cat-file --batch` for every content, so a review reads the base's dist/ as it was
 * committed, whatever the working tree holds.
 */
import { spawnSync } from 'node:child_process';

function git(cwd: string, args: readonly string[], input?: string): Buffer {
  const run = spawnSync('git', args, { cwd, input, maxBuffer: 256 * 1024 * 1024 });
  if (run.error) throw new Error(`git ${args[0]} could not run: ${run.error.message}`);
  if (run.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${run.stderr.toString().trim().split('\n')[0]}`);
  return run.stdout;
}

/** the commit a ref names; throws a readable error for a ref that names none */
export function resolveCommit(cwd: string, ref: string): string {
  const run = spawnSync('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { cwd, encoding: 'utf8' });
  if (run.status !== 0 || ref.startsWith('-')) {
    throw new Error(
      `unknown git ref "${ref}"; allowed: a commit, branch or tag of this repository, e.g. origin/main or HEAD~1`,
    );
  }
  return run.stdout.trim();
}

/** path (relative to cwd) -> content of the given files at a commit; missing files are left out */
function readFilesAt(cwd: string, commit: string, paths: readonly string[]): Map<string, string> {
  const files = new Map<string, string>();
  if (paths.length === 0) return files;
  // cat-file takes paths from the repository's root
  const prefix = git(cwd, ['rev-parse', '--show-prefix']).toString().trim();
  const out = git(cwd, ['cat-file', '--batch'], paths.map((p) => `${commit}:${prefix}${p}\n`).join(''));
  let at = 0;
  for (const p of paths) {
    const end = out.indexOf(0x0a, at);
    const header = out.subarray(at, end).toString();
    at = end + 1;
    const m = header.match(/^\S+ blob (\d+)$/);
    if (!m) continue; // "<name> missing", or not a file
    const size = Number(m[1]);
    files.set(p, out.subarray(at, at + size).toString('utf8'));
    at += size + 1;
  }
  return files;
}

/** the files below `dir` at a commit: environment -> (path below dist/<env>/ -> content) */
export function readTreeAt(cwd: string, commit: string, dir: string): Map<string, Map<string, string>> {
  const root = dir.replace(/\/+$/, '');
  const names = git(cwd, ['ls-tree', '-r', '-z', '--name-only', commit, '--', `${root}/`])
    .toString()
    .split('\0')
    .filter(Boolean);
  const contents = readFilesAt(cwd, commit, names);
  const tree = new Map<string, Map<string, string>>();
  for (const [name, content] of contents) {
    const [env, ...rest] = name.slice(root.length + 1).split('/');
    if (rest.length === 0) continue;
    if (!tree.has(env)) tree.set(env, new Map());
    tree.get(env)!.set(rest.join('/'), content);
  }
  return tree;
}
