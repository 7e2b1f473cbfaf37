/**
 * `npm run diff -- --base GITREF [--head GITREF] [--exit-code]`: see io/diff.ts.
 */
import { runDiff } from '../io/diff';

process.exitCode = runDiff(process.argv.slice(2), {
  log: (line) => console.log(line),
  error: (line) => console.error(line),
});
