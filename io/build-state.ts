/**
 * Is the built snapshot older than what it was built from? Checked at the start of every
 * synth, in-process (a few stat calls), so a source edit is never run against a stale build.
 */
import fs = require('node:fs');
import path = require('node:path');

export const SNAPSHOT = path.join('build', 'synth.blob');
/** what the build reads: sources, the generated schema, the build script, the lock file */
const INPUTS = ['main.ts', 'snapshot.ts', 'lib', 'io', 'imports', path.join('scripts', 'build.mjs'), 'package-lock.json'];

/** the first input newer than the snapshot, or undefined when the snapshot is current */
export function newerThanSnapshot(root: string, nodeBinary: string): string | undefined {
  let built: number;
  try {
    built = fs.statSync(path.join(root, SNAPSHOT)).mtimeMs;
  } catch {
    return SNAPSHOT;
  }
  const newer = (file: string): string | undefined => {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file);
    } catch {
      return undefined;
    }
    if (stat.isDirectory()) {
      for (const entry of fs.readdirSync(file)) {
        const found = newer(path.join(file, entry));
        if (found) return found;
      }
      return undefined;
    }
    return stat.mtimeMs > built ? file : undefined;
  };
  // a new node binary cannot load a snapshot built by the old one
  return newer(nodeBinary) ?? INPUTS.map((i) => newer(path.join(root, i))).find((f) => f !== undefined);
}
