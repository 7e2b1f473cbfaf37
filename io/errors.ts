/**
 * What a command reports as one line, and what it lets through. The errors this code throws on
 * purpose (an Error or a ConfigError, naming the file, the field and what is allowed) are the
 * user's to fix: one line each. An error JavaScript itself raises (a TypeError, a RangeError,
 * ...) is a bug in this code: the command lets it through, and Node.js prints its stack, in the
 * .ts files and lines (scripts/run.cjs runs the bundles with their source maps).
 */
const BUGS = [TypeError, RangeError, ReferenceError, SyntaxError, EvalError, URIError];

/** is this an error to report as one line (not a bug)? */
export function isReportable(e: unknown): e is Error {
  return e instanceof Error && !BUGS.some((type) => e instanceof type);
}
