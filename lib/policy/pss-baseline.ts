/**
 * The baseline Pod Security Standard, check by check: what a pod must not do to stay clear of
 * known privilege escalations.
 * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
 */
import { containersOf, securityContexts } from './pods';
import { at, inUserNamespace, pss, unmaskedProc, type Finding } from './pss-check';
import { allowedAt, CONFINED_PROFILES, DEFAULT_CAPABILITIES, SAFE_SYSCTLS, SELINUX_TYPES } from './pss-versions';
import { show } from './rule';
import type { Rule } from './types';

export const BASELINE_RULES: readonly Rule[] = [
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
];
