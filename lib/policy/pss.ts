/**
 * The Pod Security Standards as Pod Security Admission evaluates them: check by check, each at
 * its level and from the version it applies (see pss-versions.ts for the lists by version).
 *
 * A finding is reported at the weakest level it breaks (a pod that breaks baseline breaks
 * restricted too), so it appears once, under a rule id that names the level:
 * `baseline/capabilities` for a capability outside the default set, `restricted/capabilities`
 * for one that baseline allows and restricted does not. Versions before v1.19, which read
 * seccomp from annotations, are not modelled.
 *
 * The checks are in pss-baseline.ts and pss-restricted.ts, what they share in pss-check.ts.
 * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/
 */
import { BASELINE_RULES } from './pss-baseline';
import { RESTRICTED_RULES } from './pss-restricted';
import type { Rule } from './types';

/** baseline first, then restricted: the order the findings are reported in */
export const PSS_RULES: readonly Rule[] = [...BASELINE_RULES, ...RESTRICTED_RULES];
