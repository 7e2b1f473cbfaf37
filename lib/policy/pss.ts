/**
 * The Pod Security Standards, baseline and restricted.
 * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/
 */
import { containersOf } from './pods';
import { containerRule, podRule, show } from './rule';
import type { Rule } from './types';

const ALLOWED_VOLUMES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];
const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start', 'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range', 'net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes',
]);
const SELINUX_TYPES = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']);

export const PSS_RULES: readonly Rule[] = [
  // ---- Pod Security Standards: baseline ------------------------------------------------------
  podRule('host-namespaces', 'pss-baseline', 'hostNetwork, hostPID and hostIPC unset or false', (pod) =>
    ['hostNetwork', 'hostPID', 'hostIPC'].filter((f) => pod.spec[f] === true).map((f) => `${f} must be unset or false (got true)`)),

  containerRule('privileged', 'pss-baseline', 'securityContext.privileged unset or false', ({ container }) =>
    container.securityContext?.privileged === true ? ['securityContext.privileged must be unset or false (got true)'] : []),

  containerRule('capabilities', 'pss-restricted', 'capabilities.drop contains ALL; add is empty or only NET_BIND_SERVICE', ({ container }) => {
    const caps = container.securityContext?.capabilities ?? {};
    const out: string[] = [];
    if (!(caps.drop ?? []).includes('ALL')) out.push(`securityContext.capabilities.drop must contain "ALL" (got ${show(caps.drop ?? [])})`);
    const extra = (caps.add ?? []).filter((c: string) => c !== 'NET_BIND_SERVICE');
    if (extra.length > 0) out.push(`securityContext.capabilities.add may only hold NET_BIND_SERVICE (got ${show(caps.add)})`);
    return out;
  }),

  podRule('volume-types', 'pss-restricted', `volumes only of the types ${ALLOWED_VOLUMES.join(', ')}`, (pod) =>
    (pod.spec.volumes ?? []).flatMap((v: any) => {
      const types = Object.keys(v).filter((k) => k !== 'name');
      const bad = types.filter((t) => !ALLOWED_VOLUMES.includes(t));
      return bad.length > 0 ? [`volume "${v.name}" is of type ${bad.join(', ')}; allowed: ${ALLOWED_VOLUMES.join(', ')}`] : [];
    })),

  containerRule('host-ports', 'pss-baseline', 'no hostPort', ({ container }) =>
    (container.ports ?? []).filter((p: any) => p.hostPort !== undefined && p.hostPort !== 0)
      .map((p: any) => `ports[].hostPort must be unset or 0 (got ${p.hostPort})`)),

  podRule('apparmor', 'pss-baseline', 'AppArmor unset, runtime/default or localhost/*', (pod) => {
    const out: string[] = [];
    for (const [key, value] of Object.entries<string>(pod.metadata.annotations ?? {})) {
      if (key.startsWith('container.apparmor.security.beta.kubernetes.io/') && value !== 'runtime/default' && !value.startsWith('localhost/')) {
        out.push(`annotation ${key} must be runtime/default or localhost/* (got ${show(value)})`);
      }
    }
    const contexts = [['securityContext', pod.spec.securityContext], ...containersOf(pod).map(({ container }) => [`container "${container.name}" securityContext`, container.securityContext])];
    for (const [where, sc] of contexts) {
      const type = sc?.appArmorProfile?.type;
      if (type !== undefined && type !== 'RuntimeDefault' && type !== 'Localhost') out.push(`${where}.appArmorProfile.type must be RuntimeDefault or Localhost (got ${show(type)})`);
    }
    return out;
  }),

  podRule('selinux', 'pss-baseline', 'seLinuxOptions: no user or role; type only container_t and kin', (pod) => {
    const contexts = [['securityContext', pod.spec.securityContext], ...containersOf(pod).map(({ container }) => [`container "${container.name}" securityContext`, container.securityContext])];
    return contexts.flatMap(([where, sc]) => {
      const se = sc?.seLinuxOptions;
      if (!se) return [];
      const out: string[] = [];
      if (se.user || se.role) out.push(`${where}.seLinuxOptions must not set user or role (got ${show(se)})`);
      if (!SELINUX_TYPES.has(se.type ?? '')) out.push(`${where}.seLinuxOptions.type must be one of container_t, container_init_t, container_kvm_t, container_engine_t (got ${show(se.type)})`);
      return out;
    });
  }),

  containerRule('proc-mount', 'pss-baseline', 'procMount unset or Default', ({ container }) => {
    const pm = container.securityContext?.procMount;
    return pm !== undefined && pm !== 'Default' ? [`securityContext.procMount must be unset or Default (got ${show(pm)})`] : [];
  }),

  podRule('sysctls', 'pss-baseline', 'only the safe sysctls', (pod) =>
    (pod.spec.securityContext?.sysctls ?? []).filter((s: any) => !SAFE_SYSCTLS.has(s.name)).map((s: any) => `sysctl ${s.name} is not in the safe set`)),

  podRule('host-process', 'pss-baseline', 'windowsOptions.hostProcess unset or false', (pod) => {
    const contexts = [pod.spec.securityContext, ...containersOf(pod).map(({ container }) => container.securityContext)];
    return contexts.some((sc) => sc?.windowsOptions?.hostProcess === true) ? ['windowsOptions.hostProcess must be unset or false (got true)'] : [];
  }),

  podRule('seccomp', 'pss-restricted', 'seccompProfile RuntimeDefault or Localhost on the pod, or on every container', (pod) => {
    const ok = (sc: any) => ['RuntimeDefault', 'Localhost'].includes(sc?.seccompProfile?.type);
    const out: string[] = [];
    const containers = containersOf(pod);
    if (!ok(pod.spec.securityContext) && !containers.every(({ container }) => ok(container.securityContext))) {
      out.push(`securityContext.seccompProfile.type must be RuntimeDefault or Localhost on the pod or every container (got ${show(pod.spec.securityContext?.seccompProfile?.type)})`);
    }
    for (const { container } of containers) {
      const t = container.securityContext?.seccompProfile?.type;
      if (t !== undefined && !['RuntimeDefault', 'Localhost'].includes(t)) out.push(`container "${container.name}" seccompProfile.type must be RuntimeDefault or Localhost (got ${show(t)})`);
    }
    return out;
  }),

  containerRule('privilege-escalation', 'pss-restricted', 'allowPrivilegeEscalation: false, set explicitly', ({ container }) =>
    container.securityContext?.allowPrivilegeEscalation !== false
      ? [`securityContext.allowPrivilegeEscalation must be false, set explicitly (got ${show(container.securityContext?.allowPrivilegeEscalation)})`] : []),

  podRule('run-as-non-root', 'pss-restricted', 'runAsNonRoot: true on the pod (no container sets false); runAsUser never 0', (pod) => {
    const out: string[] = [];
    const containers = containersOf(pod);
    const podNonRoot = pod.spec.securityContext?.runAsNonRoot === true;
    if (!podNonRoot && !containers.every(({ container }) => container.securityContext?.runAsNonRoot === true)) {
      out.push(`securityContext.runAsNonRoot must be true (got ${show(pod.spec.securityContext?.runAsNonRoot)})`);
    }
    for (const { container } of containers) {
      if (container.securityContext?.runAsNonRoot === false) out.push(`container "${container.name}" sets runAsNonRoot: false`);
      if (container.securityContext?.runAsUser === 0) out.push(`container "${container.name}" sets runAsUser: 0`);
    }
    if (pod.spec.securityContext?.runAsUser === 0) out.push('securityContext.runAsUser must not be 0');
    return out;
  }),
];
