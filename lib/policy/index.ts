/**
 * The policy check: every rule of the security contract over one environment's manifests.
 */
import { ENVIRONMENT_RULES } from './environment';
import { HARDENING_RULES } from './hardening';
import { MEANING_RULES } from './meaning';
import { PSS_RULES } from './pss';
import { formatViolation, type Manifest, type PolicyContext, type Rule, type Violation } from './types';

export { ENFORCED_POD_SECURITY_VERSION, type PodSecurityVersion } from './pss-versions';
export * from './types';

/** the Pod Security Standards first, then the house rules for each pod, then those over all objects */
export const RULES: readonly Rule[] = [...PSS_RULES, ...HARDENING_RULES, ...ENVIRONMENT_RULES, ...MEANING_RULES];

export function checkPolicy(manifests: readonly Manifest[], context: PolicyContext): Violation[] {
  return RULES.flatMap((rule) => rule.check(manifests, context));
}

/** a failed check: every violation, one per line */
export class PolicyError extends Error {
  constructor(
    readonly environment: string,
    readonly violations: readonly Violation[],
    what = 'policy',
  ) {
    const count = `${violations.length} violation${violations.length === 1 ? '' : 's'}`;
    const lines = violations.map(formatViolation).join('\n  ');
    super(`${what} check failed in environment "${environment}" (${count}):\n  ${lines}`);
    this.name = 'PolicyError';
  }
}
