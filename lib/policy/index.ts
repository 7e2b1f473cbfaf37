/**
 * The policy check: every rule of the security contract over one environment's manifests.
 */
import { RULES } from './rules';
import { formatViolation, type Manifest, type PolicyContext, type Violation } from './types';

export { RULES } from './rules';
export * from './types';

export function checkPolicy(manifests: readonly Manifest[], context: PolicyContext): Violation[] {
  return RULES.flatMap((rule) => rule.check(manifests, context));
}

/** a failed check: every violation, one per line */
export class PolicyError extends Error {
  constructor(readonly environment: string, readonly violations: readonly Violation[], what = 'policy') {
    super(`${what} check failed in environment "${environment}" (${violations.length} violation${violations.length === 1 ? '' : 's'}):\n  ${violations.map(formatViolation).join('\n  ')}`);
    this.name = 'PolicyError';
  }
}
