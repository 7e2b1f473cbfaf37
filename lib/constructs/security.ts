/**
 * The Pod Security Standards "restricted" profile, as securityContext values.
 * Every container and init container of every pod the constructs emit uses these.
 * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
 */
import k8s = require('cdk8s-plus-28/lib/imports/k8s');

export interface Identity {
  /**
   * Numeric UID the processes run as: an image whose USER is a name cannot be verified by
   * runAsNonRoot, so the UID is always written out. Never 0.
   */
  readonly runAsUser: number;
  /** numeric GID, also the pod's fsGroup */
  readonly runAsGroup: number;
}

/** @throws Error naming the prop and the value, when an id is not a positive integer */
export function validateIdentity(id: Identity, where: string): void {
  for (const field of ['runAsUser', 'runAsGroup'] as const) {
    const v = id[field];
    if (!Number.isInteger(v) || v < 1 || v > 2147483647)
      throw new Error(`${where}: ${field} got ${v}; allowed: an integer from 1 to 2147483647 (0 is root)`);
  }
}

/** container-level: no root, no escalation, no capabilities, read-only root filesystem */
export function restrictedSecurityContext(id: Identity): k8s.SecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: id.runAsUser,
    runAsGroup: id.runAsGroup,
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** pod-level: the same identity, and fsGroup so mounted volumes are writable by it */
export function restrictedPodSecurityContext(id: Identity): k8s.PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: id.runAsUser,
    runAsGroup: id.runAsGroup,
    fsGroup: id.runAsGroup,
    fsGroupChangePolicy: 'OnRootMismatch',
    seccompProfile: { type: 'RuntimeDefault' },
  };
}
