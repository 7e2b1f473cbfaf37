/**
 * The security contract as code: every rule of the Pod Security Standards (baseline and
 * restricted) and the hardening rules the project adds. Each rule reads plain manifests, so it
 * checks what is written to dist/, whatever construct produced it.
 * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/
 */
import { looksLikeSecretName } from '../secret-names';
import { containersOf, podTemplates, selects, type ContainerAt, type PodTemplate } from './pods';
import { objectRef, type Manifest, type PolicyContext, type Rule, type Violation } from './types';

type Source = Rule['source'];

/** a rule checked on each pod template */
function podRule(id: string, source: Source, description: string, check: (pod: PodTemplate, ctx: PolicyContext) => string[]): Rule {
  return {
    id, source, description,
    check: (manifests, ctx) => podTemplates(manifests).flatMap((pod) => check(pod, ctx).map((message) => ({ rule: id, object: pod.ref, message }))),
  };
}

/** a rule checked on each container, init containers included */
function containerRule(id: string, source: Source, description: string, check: (c: ContainerAt, ctx: PolicyContext) => string[]): Rule {
  return {
    id, source, description,
    check: (manifests, ctx) => podTemplates(manifests).flatMap((pod) => containersOf(pod).flatMap((c) =>
      check(c, ctx).map((message) => ({ rule: id, object: pod.ref, container: c.container.name ?? '?', message })))),
  };
}

/** a rule over the whole set of manifests of an environment */
function setRule(id: string, source: Source, description: string, check: (manifests: readonly Manifest[], ctx: PolicyContext) => Violation[]): Rule {
  return { id, source, description, check };
}

const show = (v: unknown) => JSON.stringify(v);

const ALLOWED_VOLUMES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];
const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start', 'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range', 'net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes',
]);
const SELINUX_TYPES = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']);
const SECRET_ARG = /(password|passwd|secret|token|api[-_]?key)=\S+/i;
const SECRET_HEADER = /(authorization|api[-_]?key|token|secret|cookie)/i;

/** every probe and lifecycle handler of a container, with a label */
function handlers(c: any): Array<[string, any]> {
  const list: Array<[string, any]> = [];
  for (const p of ['startupProbe', 'readinessProbe', 'livenessProbe']) if (c[p]) list.push([p, c[p]]);
  for (const h of ['postStart', 'preStop']) if (c.lifecycle?.[h]) list.push([`lifecycle.${h}`, c.lifecycle[h]]);
  return list;
}

export const RULES: readonly Rule[] = [
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

  containerRule('probe-host', 'pss-baseline', 'no host in probes or lifecycle handlers', ({ container }) =>
    handlers(container).flatMap(([where, h]) => [h.httpGet?.host, h.tcpSocket?.host].filter((x) => x !== undefined && x !== '')
      .map((host) => `${where} must not set host (got ${show(host)})`))),

  // ---- hardening ------------------------------------------------------------------------------
  podRule('explicit-identity', 'hardening', 'numeric non-zero runAsUser and runAsGroup on the pod or every container; fsGroup set', (pod) => {
    const out: string[] = [];
    for (const field of ['runAsUser', 'runAsGroup']) {
      for (const { container } of containersOf(pod)) {
        const v = container.securityContext?.[field] ?? pod.spec.securityContext?.[field];
        if (!Number.isInteger(v) || v <= 0) out.push(`container "${container.name}" needs a numeric, non-zero ${field} (got ${show(v)}): an image USER given by name cannot be checked by runAsNonRoot`);
      }
    }
    const fsGroup = pod.spec.securityContext?.fsGroup;
    if (!Number.isInteger(fsGroup) || fsGroup <= 0) out.push(`securityContext.fsGroup must be set to a non-zero GID (got ${show(fsGroup)})`);
    return out;
  }),

  containerRule('read-only-root', 'hardening', 'readOnlyRootFilesystem: true, with a writable emptyDir at /tmp', ({ container, pod }) => {
    const out: string[] = [];
    if (container.securityContext?.readOnlyRootFilesystem !== true) out.push(`securityContext.readOnlyRootFilesystem must be true (got ${show(container.securityContext?.readOnlyRootFilesystem)})`);
    const tmp = (container.volumeMounts ?? []).find((m: any) => m.mountPath === '/tmp');
    const volume = tmp && (pod.spec.volumes ?? []).find((v: any) => v.name === tmp.name);
    if (!volume?.emptyDir || tmp.readOnly === true) out.push('needs a writable emptyDir mounted at /tmp: the root filesystem is read-only');
    return out;
  }),

  setRule('service-account', 'hardening', 'a dedicated ServiceAccount, with automountServiceAccountToken: false', (manifests) =>
    podTemplates(manifests).flatMap((pod) => {
      const out: Violation[] = [];
      const name = pod.spec.serviceAccountName;
      const v = (message: string) => out.push({ rule: 'service-account', object: pod.ref, message });
      if (!name || name === 'default') v(`serviceAccountName must name a dedicated ServiceAccount (got ${show(name)})`);
      else if (!manifests.some((m) => m.kind === 'ServiceAccount' && m.metadata?.name === name && m.metadata?.namespace === pod.owner.metadata?.namespace)) {
        v(`ServiceAccount "${name}" is not part of the output`);
      }
      if (pod.spec.automountServiceAccountToken !== false) v(`automountServiceAccountToken must be false (got ${show(pod.spec.automountServiceAccountToken)})`);
      return out;
    }).concat(manifests.filter((m) => m.kind === 'ServiceAccount' && m.automountServiceAccountToken !== false)
      .map((m) => ({ rule: 'service-account', object: objectRef(m), message: `automountServiceAccountToken must be false (got ${show(m.automountServiceAccountToken)})` })))),

  setRule('no-plaintext-secrets', 'hardening', 'no Secret data, no literal secret-looking env values, no secrets in probe headers or args', (manifests) => {
    const out: Violation[] = [];
    for (const m of manifests) {
      if (m.kind === 'Secret' && (Object.keys(m.data ?? {}).length > 0 || Object.keys(m.stringData ?? {}).length > 0)) {
        out.push({ rule: 'no-plaintext-secrets', object: objectRef(m), message: 'a Secret with data must not be in the output: reference an existing Secret instead' });
      }
      if (m.kind === 'ConfigMap') {
        for (const key of Object.keys(m.data ?? {})) {
          if (looksLikeSecretName(key)) out.push({ rule: 'no-plaintext-secrets', object: objectRef(m), message: `ConfigMap key ${key} looks like a secret: use a secretKeyRef` });
        }
      }
    }
    for (const pod of podTemplates(manifests)) {
      for (const { container } of containersOf(pod)) {
        const v = (message: string) => out.push({ rule: 'no-plaintext-secrets', object: pod.ref, container: container.name, message });
        for (const e of container.env ?? []) {
          if (e.value !== undefined && looksLikeSecretName(e.name)) v(`env ${e.name} has a literal value: use valueFrom.secretKeyRef`);
        }
        for (const [where, h] of handlers(container)) {
          for (const header of h.httpGet?.httpHeaders ?? []) {
            if (SECRET_HEADER.test(header.name)) v(`${where} sends header ${header.name}: a probe header is a secret in plain text`);
          }
          for (const arg of h.exec?.command ?? []) if (SECRET_ARG.test(arg)) v(`${where} command carries a secret (${arg.split('=')[0]}=...)`);
        }
        for (const arg of [...(container.command ?? []), ...(container.args ?? [])]) {
          if (SECRET_ARG.test(arg)) v(`command/args carry a secret (${arg.split('=')[0]}=...): read it from the environment`);
        }
      }
    }
    return out;
  }),

  containerRule('image-pinned', 'hardening', 'a tag other than latest, or a digest; a digest in production', ({ container }, ctx) => {
    const image: string = container.image ?? '';
    const [name, digest] = image.split('@');
    const lastSlash = name.lastIndexOf('/');
    const colon = name.indexOf(':', lastSlash + 1);
    const tag = colon === -1 ? undefined : name.slice(colon + 1);
    if (!digest && (!tag || tag === 'latest')) return [`image ${show(image)} must have a tag other than latest, or a digest`];
    if (ctx.production && !digest?.startsWith('sha256:')) return [`image ${show(image)} must be pinned by digest (@sha256:...) in production`];
    return [];
  }),

  containerRule('resources', 'hardening', 'CPU, memory and ephemeral-storage requests; memory and ephemeral-storage limits', ({ container }) => {
    const r = container.resources ?? {};
    const missing = [['requests', 'cpu'], ['requests', 'memory'], ['requests', 'ephemeral-storage'], ['limits', 'memory'], ['limits', 'ephemeral-storage']].filter(([k, res]) => r[k]?.[res] === undefined);
    return missing.length > 0 ? [`resources must set ${missing.map(([k, res]) => `${k}.${res}`).join(', ')}`] : [];
  }),

  containerRule('probes', 'hardening', 'readiness and liveness probes on long-running containers, not identical, on declared ports', ({ container, pod, init }) => {
    const out: string[] = [];
    if (pod.longRunning && !init) {
      if (!container.readinessProbe) out.push('readinessProbe is missing');
      if (!container.livenessProbe) out.push('livenessProbe is missing');
      if (container.readinessProbe && JSON.stringify(container.readinessProbe) === JSON.stringify(container.livenessProbe)) {
        out.push('readinessProbe and livenessProbe are identical: a slow dependency would restart the pod instead of taking it out of rotation');
      }
    }
    const ports = container.ports ?? [];
    for (const [where, h] of handlers(container)) {
      const port = h.httpGet?.port ?? h.tcpSocket?.port ?? h.grpc?.port;
      if (port === undefined) continue;
      const declared = typeof port === 'number' ? ports.some((p: any) => p.containerPort === port) : ports.some((p: any) => p.name === port);
      if (!declared) out.push(`${where} uses port ${show(port)}, which the container does not declare`);
    }
    return out;
  }),

  setRule('network', 'hardening', 'default-deny NetworkPolicy, narrow ingress, egress only to listed peers and ports', (manifests) => {
    const out: Violation[] = [];
    const policies = manifests.filter((m) => m.kind === 'NetworkPolicy');
    const namespaces = new Set(podTemplates(manifests).map((p) => p.owner.metadata?.namespace));
    for (const ns of namespaces) {
      // podSelector {} selects every pod; a missing podSelector is not a deny-all
      const selectsAll = (p: Manifest) => p.spec?.podSelector !== undefined && Object.keys(p.spec.podSelector).length === 0;
      const denies = policies.some((p) => p.metadata?.namespace === ns && selectsAll(p) &&
        ['Ingress', 'Egress'].every((t) => (p.spec?.policyTypes ?? []).includes(t)) && !p.spec?.ingress?.length && !p.spec?.egress?.length);
      if (!denies) out.push({ rule: 'network', object: `Namespace/${ns}`, message: 'needs a default-deny NetworkPolicy (podSelector {}, policyTypes Ingress and Egress, no rules)' });
    }
    for (const p of policies) {
      for (const [kind, rules, peers] of [['ingress', p.spec?.ingress, 'from'], ['egress', p.spec?.egress, 'to']] as const) {
        (rules ?? []).forEach((r: any, i: number) => {
          if (!r[peers] || r[peers].length === 0) out.push({ rule: 'network', object: objectRef(p), message: `${kind}[${i}] has no ${peers}: it allows every peer` });
          if (!r.ports || r.ports.length === 0) out.push({ rule: 'network', object: objectRef(p), message: `${kind}[${i}] has no ports: it allows every port` });
          for (const peer of r[peers] ?? []) {
            if (peer.ipBlock?.cidr === '0.0.0.0/0') out.push({ rule: 'network', object: objectRef(p), message: `${kind}[${i}] allows 0.0.0.0/0` });
          }
        });
      }
    }
    for (const pod of podTemplates(manifests)) {
      const labels = pod.metadata.labels;
      const egress = policies.some((p) => p.metadata?.namespace === pod.owner.metadata?.namespace && (p.spec?.policyTypes ?? []).includes('Egress') &&
        (p.spec?.egress?.length ?? 0) > 0 && selects(p.spec?.podSelector?.matchLabels, labels));
      if (!egress) out.push({ rule: 'network', object: pod.ref, message: 'no NetworkPolicy allows its egress (DNS and the database): it could reach nothing, or the policy is missing' });
    }
    return out;
  }),

  setRule('availability', 'hardening', 'in production: 2+ replicas or an HPA, a PodDisruptionBudget that selects the pods, spread over nodes/zones', (manifests, ctx) => {
    const out: Violation[] = [];
    for (const d of manifests.filter((m) => m.kind === 'Deployment' || m.kind === 'StatefulSet')) {
      const v = (message: string) => out.push({ rule: 'availability', object: objectRef(d), message });
      const labels = d.spec?.template?.metadata?.labels;
      const ns = d.metadata?.namespace;
      const hpa = manifests.find((m) => m.kind === 'HorizontalPodAutoscaler' && m.metadata?.namespace === ns && m.spec?.scaleTargetRef?.kind === d.kind && m.spec?.scaleTargetRef?.name === d.metadata?.name);
      const pdb = manifests.some((m) => m.kind === 'PodDisruptionBudget' && m.metadata?.namespace === ns && selects(m.spec?.selector?.matchLabels, labels));
      const spec = d.spec?.template?.spec ?? {};
      const spread = (spec.topologySpreadConstraints ?? []).length > 0 || spec.affinity?.podAntiAffinity !== undefined;
      if (ctx.production) {
        const min = hpa ? hpa.spec?.minReplicas ?? 1 : d.spec?.replicas ?? 1;
        if (min < 2) v(`needs at least 2 replicas in production (got ${min}${hpa ? ' as HPA minReplicas' : ''})`);
        if (!pdb) v('needs a PodDisruptionBudget that selects its pods in production');
      }
      if (!spread) v('needs topologySpreadConstraints (or pod anti-affinity) to spread over nodes and zones');
    }
    return out;
  }),

  setRule('job-bounds', 'hardening', 'Jobs set backoffLimit, activeDeadlineSeconds and ttlSecondsAfterFinished (or a hook delete policy)', (manifests) =>
    manifests.filter((m) => m.kind === 'Job').flatMap((job) => {
      const s = job.spec ?? {};
      const missing = ['backoffLimit', 'activeDeadlineSeconds'].filter((f) => s[f] === undefined);
      const annotations = job.metadata?.annotations ?? {};
      if (s.ttlSecondsAfterFinished === undefined && !annotations['argocd.argoproj.io/hook-delete-policy'] && !annotations['helm.sh/hook-delete-policy']) missing.push('ttlSecondsAfterFinished');
      return missing.length > 0 ? [{ rule: 'job-bounds', object: objectRef(job), message: `must set ${missing.join(', ')}: an unbounded Job can hang or pile up forever` }] : [];
    })),

  setRule('namespace-restricted', 'hardening', 'each namespace used is in the output and labelled pod-security.kubernetes.io/enforce: restricted', (manifests) => {
    const used = new Set(manifests.map((m) => m.metadata?.namespace).filter((ns): ns is string => !!ns));
    return [...used].flatMap((ns) => {
      const obj = manifests.find((m) => m.kind === 'Namespace' && m.metadata?.name === ns);
      const level = obj?.metadata?.labels?.['pod-security.kubernetes.io/enforce'];
      if (!obj) return [{ rule: 'namespace-restricted', object: `Namespace/${ns}`, message: 'is used but not part of the output' }];
      return level === 'restricted' ? [] : [{ rule: 'namespace-restricted', object: objectRef(obj), message: `label pod-security.kubernetes.io/enforce must be "restricted" (got ${show(level)})` }];
    });
  }),

  setRule('consistency', 'hardening', 'selectors match template labels, every Service and ServiceMonitor selects something, no duplicate env names', (manifests) => {
    const out: Violation[] = [];
    const pods = podTemplates(manifests);
    for (const m of manifests) {
      const selector = m.spec?.selector?.matchLabels;
      if (['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'].includes(m.kind ?? '') && !selects(selector, m.spec?.template?.metadata?.labels)) {
        out.push({ rule: 'consistency', object: objectRef(m), message: `spec.selector ${show(selector)} does not match the template labels` });
      }
      if (m.kind === 'Service' && m.spec?.type !== 'ExternalName') {
        const sel = m.spec?.selector;
        if (!pods.some((p) => p.owner.metadata?.namespace === m.metadata?.namespace && p.longRunning && selects(sel, p.metadata.labels))) {
          out.push({ rule: 'consistency', object: objectRef(m), message: `selector ${show(sel)} selects no pod template in the output` });
        }
      }
      if (m.kind === 'PodDisruptionBudget' && !pods.some((p) => p.owner.metadata?.namespace === m.metadata?.namespace && selects(selector, p.metadata.labels))) {
        out.push({ rule: 'consistency', object: objectRef(m), message: `selector ${show(selector)} selects no pod template in the output` });
      }
      // a ServiceMonitor that selects no Service scrapes nothing, and says so nowhere
      if (m.kind === 'ServiceMonitor' && !manifests.some((t) => t.kind === 'Service' && t.metadata?.namespace === m.metadata?.namespace && selects(m.spec?.selector?.matchLabels, t.metadata?.labels))) {
        out.push({ rule: 'consistency', object: objectRef(m), message: `selector ${show(m.spec?.selector?.matchLabels)} selects no Service in the output` });
      }
      if (m.kind === 'HorizontalPodAutoscaler') {
        const ref = m.spec?.scaleTargetRef ?? {};
        if (!manifests.some((t) => t.kind === ref.kind && t.metadata?.name === ref.name && t.metadata?.namespace === m.metadata?.namespace)) {
          out.push({ rule: 'consistency', object: objectRef(m), message: `scaleTargetRef ${ref.kind}/${ref.name} is not part of the output` });
        }
      }
    }
    for (const pod of pods) {
      for (const { container } of containersOf(pod)) {
        const names = (container.env ?? []).map((e: any) => e.name);
        const dupes = [...new Set(names.filter((n: string, i: number) => names.indexOf(n) !== i))];
        if (dupes.length > 0) out.push({ rule: 'consistency', object: pod.ref, container: container.name, message: `duplicate env names ${dupes.join(', ')}: only the last one takes effect` });
      }
    }
    return out;
  }),
];
