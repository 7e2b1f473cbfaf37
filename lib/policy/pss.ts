/**
 * The Pod Security Standards as Pod Security Admission evaluates them: check by check, each at
 * its level and from the version it applies (see pss-versions.ts for the lists by version).
 *
 * A finding is reported at the weakest level it breaks (a pod that breaks baseline breaks
 * restricted too), so it appears once, under a rule id that names the level:
 * `baseline/capabilities` for a capability outside the default set, `restricted/capabilities`
 * for one that baseline allows and restricted does not. Versions before v1.19, which read
 * seccomp from annotations, are not modelled.
 * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/
 */
import { containersOf, podTemplates, securityContexts, type PodTemplate } from './pods';
import {
  allowedAt,
  atLeast,
  CONFINED_PROFILES,
  DEFAULT_CAPABILITIES,
  ENFORCED_POD_SECURITY_VERSION,
  RESTRICTED_VOLUMES,
  SAFE_SYSCTLS,
  SELINUX_TYPES,
  type PodSecurityVersion,
} from './pss-versions';
import { show } from './rule';
import type { Rule } from './types';

/** what is wrong and what is allowed, with the container when it is about one */
interface Finding {
  readonly container?: string;
  readonly message: string;
}

type Level = 'baseline' | 'restricted';
type CheckPod = (pod: PodTemplate, version: PodSecurityVersion) => Finding[];

/** one check at one level, which applies from `since` on */
function pss(level: Level, name: string, since: PodSecurityVersion, description: string, check: CheckPod): Rule {
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
const at = (container: string | undefined, message: string): Finding =>
  container === undefined ? { message: `pod ${message}` } : { container, message };

// Windows pods cannot set these fields: from v1.25 the restricted checks of them let them pass
const exemptAsWindows = (pod: PodTemplate, version: PodSecurityVersion) =>
  atLeast(version, 'v1.25') && pod.spec.os?.name === 'windows';
// from v1.35 a pod in a user namespace of its own (hostUsers: false) is not root on the node
const inUserNamespace = (pod: PodTemplate, version: PodSecurityVersion) =>
  atLeast(version, 'v1.35') && pod.spec.hostUsers === false;

const unmaskedProc = (pod: PodTemplate): Finding[] =>
  containersOf(pod)
    .filter(({ container }) => (container.securityContext?.procMount ?? 'Default') !== 'Default')
    .map(({ container }) =>
      at(
        container.name,
        `securityContext.procMount must be unset or Default (got ${show(container.securityContext.procMount)})`,
      ),
    );

export const PSS_RULES: readonly Rule[] = [
  pss('baseline', 'host-namespaces', 'v1.0', 'hostNetwork, hostPID and hostIPC unset or false', (pod) =>
    ['hostNetwork', 'hostPID', 'hostIPC']
      .filter((f) => pod.spec[f] === true)
      .map((f) => ({ message: `${f} must be unset or false (got true)` })),
  ),

  pss('baseline', 'privileged', 'v1.0', 'securityContext.privileged unset or false', (pod) =>
    containersOf(pod)
      .filter(({ container }) => container.securityContext?.privileged === true)
      .map(({ container }) => at(container.name, 'securityContext.privileged must be unset or false (got true)')),
  ),

  pss('baseline', 'capabilities', 'v1.0', 'capabilities.add only from the runtime default set', (pod) =>
    containersOf(pod).flatMap(({ container }) => {
      const added: string[] = container.securityContext?.capabilities?.add ?? [];
      const extra = added.filter((c) => !DEFAULT_CAPABILITIES.has(c));
      if (extra.length === 0) return [];
      return [
        at(
          container.name,
          `securityContext.capabilities.add must not hold ${show(extra)}, outside the runtime ` +
            `default set; allowed: ${[...DEFAULT_CAPABILITIES].join(', ')}`,
        ),
      ];
    }),
  ),

  pss('baseline', 'host-path-volumes', 'v1.0', 'no hostPath volumes', (pod) =>
    (pod.spec.volumes ?? [])
      .filter((v: any) => v.hostPath !== undefined)
      .map((v: any) => ({ message: `volume "${v.name}" must not be a hostPath volume` })),
  ),

  pss('baseline', 'host-ports', 'v1.0', 'ports[].hostPort unset or 0', (pod) =>
    containersOf(pod).flatMap(({ container }) =>
      (container.ports ?? [])
        .filter((p: any) => (p.hostPort ?? 0) !== 0)
        .map((p: any) => at(container.name, `ports[].hostPort must be unset or 0 (got ${p.hostPort})`)),
    ),
  ),

  pss('baseline', 'apparmor', 'v1.0', 'AppArmor unset, runtime/default or localhost/*', (pod) => [
    ...Object.entries<string>(pod.metadata.annotations ?? {})
      .filter(
        ([key, value]) =>
          key.startsWith('container.apparmor.security.beta.kubernetes.io/') &&
          value !== '' &&
          value !== 'runtime/default' &&
          !value.startsWith('localhost/'),
      )
      .map(([key, value]) => ({
        message: `annotation ${key} must be runtime/default or localhost/* (got ${show(value)})`,
      })),
    ...securityContexts(pod)
      .filter(({ context }) => context?.appArmorProfile && !CONFINED_PROFILES.includes(context.appArmorProfile.type))
      .map(({ container, context }) =>
        at(
          container,
          'securityContext.appArmorProfile.type must be RuntimeDefault ' +
            `or Localhost (got ${show(context.appArmorProfile.type)})`,
        ),
      ),
  ]),

  pss('baseline', 'selinux', 'v1.0', 'seLinuxOptions: no user or role; a container type', (pod, version) => {
    const types = allowedAt(SELINUX_TYPES, version);
    return securityContexts(pod).flatMap(({ container, context }) => {
      const options = context?.seLinuxOptions;
      const found: Finding[] = [];
      if (options?.user || options?.role) {
        found.push(at(container, `securityContext.seLinuxOptions must not set user or role (got ${show(options)})`));
      }
      if (options && !types.has(options.type ?? '')) {
        const allowed = [...types].filter(Boolean).join(', ');
        found.push(
          at(
            container,
            `securityContext.seLinuxOptions.type must be unset or one of ${allowed} ` +
              `at ${version} (got ${show(options.type)})`,
          ),
        );
      }
      return found;
    });
  }),

  pss('baseline', 'proc-mount', 'v1.0', 'procMount unset or Default', (pod, version) =>
    inUserNamespace(pod, version) ? [] : unmaskedProc(pod),
  ),

  pss('baseline', 'seccomp', 'v1.19', 'seccompProfile unset, RuntimeDefault or Localhost', (pod) =>
    securityContexts(pod)
      .filter(({ context }) => context?.seccompProfile && !CONFINED_PROFILES.includes(context.seccompProfile.type))
      .map(({ container, context }) =>
        at(
          container,
          'securityContext.seccompProfile.type must be RuntimeDefault ' +
            `or Localhost (got ${show(context.seccompProfile.type)})`,
        ),
      ),
  ),

  pss('baseline', 'sysctls', 'v1.0', 'only the sysctls safe at the enforced version', (pod, version) => {
    const safe = allowedAt(SAFE_SYSCTLS, version);
    return (pod.spec.securityContext?.sysctls ?? [])
      .filter((s: any) => !safe.has(s.name))
      .map((s: any) => ({ message: `sysctl ${s.name} is not safe at ${version}; allowed: ${[...safe].join(', ')}` }));
  }),

  pss('baseline', 'host-process', 'v1.0', 'windowsOptions.hostProcess unset or false', (pod) =>
    securityContexts(pod)
      .filter(({ context }) => context?.windowsOptions?.hostProcess === true)
      .map(({ container }) => at(container, 'securityContext.windowsOptions.hostProcess must be unset or false')),
  ),

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
