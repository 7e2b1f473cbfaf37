/**
 * The Pod Security Standards "restricted" profile, as securityContext values.
 * Every container and init container of every pod this project emits uses these.
 * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
 */
import k8s = require('cdk8s-plus-28/lib/imports/k8s');

export interface Identity {
  /** numeric UID: the shell image's USER is a name, which runAsNonRoot cannot verify */
  readonly runAsUser: number;
  readonly runAsGroup: number;
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
