/**
 * One run at a time per output folder: a synth (or a set-image, which edits config/ and then
 * synthesizes) holds `.<out>.lock` beside the output, created with O_EXCL and holding its pid.
 * Without it, two `--env` runs each stage the other environments from the old tree and the
 * second swap drops the first run's environment. A second run waits for the first; a lock whose
 * process is gone (a killed run) is taken over.
 */
import fs = require('node:fs');
import path = require('node:path');

/** how long a run waits for another one on the same output before it gives up */
export const LOCK_WAIT_MS = 120_000;
/** a lock file still empty after this long was left by a run killed between create and write */
const EMPTY_LOCK_STALE_MS = 10_000;
const POLL_MS = 50;

/** lock file -> how many times this process holds it (set-image holds it around its synth) */
const held = new Map<string, number>();

/** the lock file of an output folder: `dist` -> `.dist.lock` beside it */
export function lockFileOf(outDir: string): string {
  const out = path.resolve(outDir);
  return path.join(path.dirname(out), `.${path.basename(out)}.lock`);
}

export interface LockOptions {
  /** how long to wait for another run; default LOCK_WAIT_MS */
  readonly waitMs?: number;
  /** told once, when the run starts waiting for another one */
  readonly onWait?: (line: string) => void;
}

/**
 * Run `work` holding the output folder's lock.
 * @throws Error naming the lock file and the process that holds it, when it is not free in time
 */
export function withOutputLock<T>(outDir: string, work: () => T, options: LockOptions = {}): T {
  const file = lockFileOf(outDir);
  acquire(file, options.waitMs ?? LOCK_WAIT_MS, options.onWait);
  try {
    return work();
  } finally {
    release(file);
  }
}

function acquire(file: string, waitMs: number, onWait?: (line: string) => void): void {
  const depth = held.get(file);
  if (depth !== undefined) {
    held.set(file, depth + 1);
    return;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const deadline = Date.now() + waitMs;
  let told = false;
  for (;;) {
    try {
      const fd = fs.openSync(file, 'wx');
      try {
        fs.writeSync(fd, `${process.pid}\n`);
      } finally {
        fs.closeSync(fd);
      }
      held.set(file, 1);
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const owner = readOwner(file);
    if (owner === 'gone') continue;
    // this process's own pid, not held: left by a run of it that could not delete it
    if (owner === 'stale' || owner === process.pid || (owner !== 'starting' && !isAlive(owner))) {
      takeOver(file, owner);
      continue;
    }
    if (Date.now() >= deadline) {
      const who = owner === 'starting' ? 'a process that wrote no pid' : `process ${owner}`;
      throw new Error(
        `${file}: another synth or set-image on this output (${who}) has held it for more than ${Math.round(waitMs / 1000)} s; allowed: wait for it to finish, or delete ${file} if no such run is going on`,
      );
    }
    if (!told)
      onWait?.(`waiting for ${owner === 'starting' ? 'another run' : `process ${owner}`}, which holds ${file}`);
    told = true;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, POLL_MS);
  }
}

/**
 * The pid in a lock file; 'starting' while it is still empty (its creator writes the pid right
 * after creating it), 'stale' when it stayed empty (that creator was killed), 'gone' when the
 * file went meanwhile.
 */
function readOwner(file: string): number | 'starting' | 'stale' | 'gone' {
  let text: string;
  let age: number;
  try {
    text = fs.readFileSync(file, 'utf8');
    age = Date.now() - fs.statSync(file).mtimeMs;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw e;
  }
  const pid = Number(text.trim());
  if (Number.isInteger(pid) && pid > 0) return pid;
  return age > EMPTY_LOCK_STALE_MS ? 'stale' : 'starting';
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists, under another user
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Move a dead run's lock aside and delete it. Only one of several runs that found it stale
 * moves that file; one that finds it held the lock of a live run instead (taken over between
 * its read and its move) puts it back.
 */
function takeOver(file: string, owner: number | 'stale'): void {
  const aside = `${file}.stale-${process.pid}`;
  try {
    fs.renameSync(file, aside);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  if (readOwner(aside) !== owner) {
    try {
      fs.linkSync(aside, file);
    } catch {
      // a third run holds a new lock already: the one moved aside had to go anyway
    }
  }
  fs.rmSync(aside, { force: true });
}

function release(file: string): void {
  const depth = held.get(file)!;
  if (depth > 1) {
    held.set(file, depth - 1);
    return;
  }
  held.delete(file);
  fs.rmSync(file, { force: true });
}
