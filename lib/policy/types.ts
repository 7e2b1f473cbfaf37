/**
 * Shared types of the policy check: the manifests of one environment in, violations out.
 */
import type { PodSecurityVersion } from './pss-versions';

/** any Kubernetes object, as plain data */
export interface Manifest {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: {
    readonly name?: string;
    readonly namespace?: string;
    readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
  };
  readonly [key: string]: any;
}

export interface PolicyContext {
  readonly environment: string;
  /** the production profile: digests, availability */
  readonly production: boolean;
  /**
   * The Pod Security Admission version the Pod Security Standards are evaluated at.
   * @default ENFORCED_POD_SECURITY_VERSION, the version the namespaces enforce
   */
  readonly podSecurityVersion?: PodSecurityVersion;
}

export interface Violation {
  /** rule id, e.g. `read-only-root` */
  readonly rule: string;
  /** `Kind/name` */
  readonly object: string;
  /** the container or init container, when the rule is about one */
  readonly container?: string;
  /** what is wrong and what is required */
  readonly message: string;
}

export interface Rule {
  readonly id: string;
  /** one line: what the rule requires */
  readonly description: string;
  /** where it comes from: a level of the Pod Security Standards, or the house's own hardening */
  readonly source: 'pss-baseline' | 'pss-restricted' | 'hardening';
  check(manifests: readonly Manifest[], context: PolicyContext): Violation[];
}

export function objectRef(m: Manifest): string {
  return `${m.kind ?? '?'}/${m.metadata?.name ?? '?'}`;
}

export function formatViolation(v: Violation): string {
  return `${v.object}${v.container ? ` container "${v.container}"` : ''}: [${v.rule}] ${v.message}`;
}
