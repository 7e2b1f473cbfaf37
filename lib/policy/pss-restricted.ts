/**
 * The restricted Pod Security Standard, check by check: the hardening it adds to baseline. What
 * baseline reports already is left out here, so a finding appears once.
 * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
 */
import { containersOf, securityContexts } from './pods';
import { at, exemptAsWindows, inUserNamespace, pss, unmaskedProc, type Finding } from './pss-check';
import { CONFINED_PROFILES, DEFAULT_CAPABILITIES, RESTRICTED_VOLUMES } from './pss-versions';
import { show } from './rule';
import type { Rule } from './types';

export const RESTRICTED_RULES: readonly Rule[] = [
  pss('restricted', 'volume-types', 'v1.0', `volumes only of the types ${RESTRICTED_VOLUMES.join(', ')}`, (pod) =>
    (pod.spec.volumes ?? []).flatMap((v: any) => {
      // hostPath is a baseline finding already
      const bad = Object.keys(v).filter((k) => k !== 'name' && k !== 'hostPath' && !RESTRICTED_VOLUMES.includes(k));
      if (bad.length === 0) return [];
      return [
        {
          message: `volume "${v.name}" is of type ${bad.join(', ')}; allowed: ${RESTRICTED_VOLUMES.join(', ')}`,
        },
      ];
    }),
  ),

  pss(
    'restricted',
    'privilege-escalation',
    'v1.8',
    'allowPrivilegeEscalation: false, set explicitly',
    (pod, version) =>
      exemptAsWindows(pod, version)
        ? []
        : containersOf(pod)
            .filter(({ container }) => container.securityContext?.allowPrivilegeEscalation !== false)
            .map(({ container }) =>
              at(
                container.name,
                'securityContext.allowPrivilegeEscalation must be false, set ' +
                  `explicitly (got ${show(container.securityContext?.allowPrivilegeEscalation)})`,
              ),
            ),
  ),

  pss('restricted', 'run-as-non-root', 'v1.0', 'runAsNonRoot: true on the pod or every container', (pod, version) => {
    if (inUserNamespace(pod, version)) return [];
    const onPod = pod.spec.securityContext?.runAsNonRoot;
    const found = onPod === false ? [at(undefined, 'securityContext.runAsNonRoot must not be false')] : [];
    for (const { container } of containersOf(pod)) {
      const own = container.securityContext?.runAsNonRoot;
      if (own === false) found.push(at(container.name, 'securityContext.runAsNonRoot must not be false'));
      else if (own === undefined && onPod !== true) {
        found.push(
          at(
            container.name,
            `securityContext.runAsNonRoot must be true, here or on the pod (got ${show(onPod)} on the pod)`,
          ),
        );
      }
    }
    return found;
  }),

  pss('restricted', 'run-as-user', 'v1.23', 'runAsUser never 0', (pod, version) =>
    inUserNamespace(pod, version)
      ? []
      : securityContexts(pod)
          .filter(({ context }) => context?.runAsUser === 0)
          .map(({ container }) => at(container, 'securityContext.runAsUser must not be 0')),
  ),

  pss(
    'restricted',
    'seccomp',
    'v1.19',
    'seccompProfile RuntimeDefault or Localhost on the pod or every container',
    (pod, version) => {
      const onPod = CONFINED_PROFILES.includes(pod.spec.securityContext?.seccompProfile?.type);
      if (onPod || exemptAsWindows(pod, version)) return [];
      // a container that sets a profile of its own is confined, or a baseline finding
      return containersOf(pod)
        .filter(({ container }) => container.securityContext?.seccompProfile === undefined)
        .map(({ container }) =>
          at(
            container.name,
            'securityContext.seccompProfile.type must be RuntimeDefault or ' +
              'Localhost, here or on the pod (got none)',
          ),
        );
    },
  ),

  pss(
    'restricted',
    'capabilities',
    'v1.22',
    'capabilities.drop holds ALL; add only NET_BIND_SERVICE',
    (pod, version) =>
      exemptAsWindows(pod, version)
        ? []
        : containersOf(pod).flatMap(({ container }) => {
            const caps = container.securityContext?.capabilities ?? {};
            const found: Finding[] = [];
            if (!(caps.drop ?? []).includes('ALL')) {
              found.push(
                at(
                  container.name,
                  `securityContext.capabilities.drop must contain "ALL" (got ${show(caps.drop ?? [])})`,
                ),
              );
            }
            // one outside the default set is a baseline finding already
            const extra = (caps.add ?? []).filter(
              (c: string) => c !== 'NET_BIND_SERVICE' && DEFAULT_CAPABILITIES.has(c),
            );
            if (extra.length > 0) {
              found.push(
                at(
                  container.name,
                  `securityContext.capabilities.add may only hold NET_BIND_SERVICE (got ${show(extra)})`,
                ),
              );
            }
            return found;
          }),
  ),

  // from v1.35 baseline lets a pod in a user namespace unmask /proc; restricted still does not
  pss('restricted', 'proc-mount', 'v1.35', 'procMount unset or Default, in a user namespace too', (pod, version) =>
    inUserNamespace(pod, version) ? unmaskedProc(pod) : [],
  ),
];
