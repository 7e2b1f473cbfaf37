/**
 * What the Pod Security Standards checks share: a check as a rule at its level and from its
 * version, findings about the pod or one container, and the pod states that exempt a check.
 */
import { containersOf, podTemplates, type PodTemplate } from './pods';
import { atLeast, ENFORCED_POD_SECURITY_VERSION, type PodSecurityVersion } from './pss-versions';
import { show } from './rule';
import type { Rule } from './types';

/** what is wrong and what is allowed, with the container when it is about one */
export interface Finding {
  readonly container?: string;
  readonly message: string;
}

type Level = 'baseline' | 'restricted';
type CheckPod = (pod: PodTemplate, version: PodSecurityVersion) => Finding[];

/** one check at one level, which applies from `since` on */
export function pss(level: Level, name: string, since: PodSecurityVersion, description: string, check: CheckPod): Rule {
  const id = `${level}/${name}`;
  return {
    id,
    source: `pss-${level}`,
    description,
    check: (manifests, ctx) => {
      const version = ctx.podSecurityVersion ?? ENFORCED_POD_SECURITY_VERSION;
      if (!atLeast(version, since)) return [];
      return podTemplates(manifests).flatMap((pod) =>
        check(pod, version).map(({ container, message }) => ({
          rule: id,
          object: pod.ref,
          ...(container === undefined ? {} : { container }),
          message,
        })),
      );
    },
  };
}

/** a setting of a container, or (without one) of the pod */
export const at = (container: string | undefined, message: string): Finding =>
  container === undefined ? { message: `pod ${message}` } : { container, message };

// Windows pods cannot set these fields: from v1.25 the restricted checks of them let them pass
export const exemptAsWindows = (pod: PodTemplate, version: PodSecurityVersion) =>
  atLeast(version, 'v1.25') && pod.spec.os?.name === 'windows';
// from v1.35 a pod in a user namespace of its own (hostUsers: false) is not root on the node
export const inUserNamespace = (pod: PodTemplate, version: PodSecurityVersion) =>
  atLeast(version, 'v1.35') && pod.spec.hostUsers === false;

// both levels check procMount: baseline outside a user namespace, restricted inside one
export const unmaskedProc = (pod: PodTemplate): Finding[] =>
  containersOf(pod)
    .filter(({ container }) => (container.securityContext?.procMount ?? 'Default') !== 'Default')
    .map(({ container }) =>
      at(
        container.name,
        `securityContext.procMount must be unset or Default (got ${show(container.securityContext.procMount)})`,
      ),
    );
