/**
 * House hardening of each pod and container, beyond the Pod Security Standards: what kube-linter,
 * kube-score and Polaris check, and what the security contract adds to them.
 */
import { probeAsRun } from '../constructs/probes';
import { imageParts } from '../image-reference';
import { credentialIn, looksLikeSecretName } from '../secret-names';
import { containersOf, podTemplates } from './pods';
import { containerRule, podRule, setRule, show } from './rule';
import { objectRef, type Rule, type Violation } from './types';

const SECRET_HEADER = /(authorization|api[-_]?key|token|secret|cookie)/i;

/** every probe and lifecycle handler of a container, with a label */
function handlers(c: any): Array<[string, any]> {
  const list: Array<[string, any]> = [];
  for (const p of ['startupProbe', 'readinessProbe', 'livenessProbe']) if (c[p]) list.push([p, c[p]]);
  for (const h of ['postStart', 'preStop']) if (c.lifecycle?.[h]) list.push([`lifecycle.${h}`, c.lifecycle[h]]);
  return list;
}

export const HARDENING_RULES: readonly Rule[] = [
  podRule(
    'explicit-identity',
    'hardening',
    'numeric non-zero runAsUser and runAsGroup on the pod or every container; fsGroup set',
    (pod) => {
      const out: string[] = [];
      for (const field of ['runAsUser', 'runAsGroup']) {
        for (const { container } of containersOf(pod)) {
          const v = container.securityContext?.[field] ?? pod.spec.securityContext?.[field];
          if (!Number.isInteger(v) || v <= 0) {
            out.push(
              `container "${container.name}" needs a numeric, non-zero ${field} (got ${show(v)}): ` +
                'an image USER given by name cannot be checked by runAsNonRoot',
            );
          }
        }
      }
      const fsGroup = pod.spec.securityContext?.fsGroup;
      if (!Number.isInteger(fsGroup) || fsGroup <= 0) {
        out.push(`securityContext.fsGroup must be set to a non-zero GID (got ${show(fsGroup)})`);
      }
      return out;
    },
  ),

  containerRule(
    'read-only-root',
    'hardening',
    'readOnlyRootFilesystem: true, with a writable emptyDir at /tmp',
    ({ container, pod }) => {
      const out: string[] = [];
      const readOnly = container.securityContext?.readOnlyRootFilesystem;
      if (readOnly !== true) out.push(`securityContext.readOnlyRootFilesystem must be true (got ${show(readOnly)})`);
      const tmp = (container.volumeMounts ?? []).find((m: any) => m.mountPath === '/tmp');
      const volume = tmp && (pod.spec.volumes ?? []).find((v: any) => v.name === tmp.name);
      if (!volume?.emptyDir || tmp.readOnly === true) {
        out.push('needs a writable emptyDir mounted at /tmp: the root filesystem is read-only');
      }
      return out;
    },
  ),

  // Pod Security Admission checks this at baseline only from v1.34; the namespaces enforce an
  // older version, so the house requires it on its own
  containerRule('probe-host', 'hardening', 'no host in probes or lifecycle handlers', ({ container }) =>
    handlers(container).flatMap(([where, h]) =>
      [h.httpGet?.host, h.tcpSocket?.host]
        .filter((host) => host !== undefined && host !== '')
        .map((host) => `${where} must not set host (got ${show(host)})`),
    ),
  ),

  setRule(
    'no-plaintext-secrets',
    'hardening',
    'no Secret data, no literal secret-looking env values, no secrets in probe headers or args',
    (manifests) => {
      const out: Violation[] = [];
      const at = (object: string, message: string, container?: string) =>
        out.push({ rule: 'no-plaintext-secrets', object, message, ...(container ? { container } : {}) });
      for (const m of manifests) {
        const hasData = Object.keys(m.data ?? {}).length > 0 || Object.keys(m.stringData ?? {}).length > 0;
        if (m.kind === 'Secret' && hasData) {
          at(objectRef(m), 'a Secret with data must not be in the output: reference an existing Secret instead');
        }
        if (m.kind === 'ConfigMap') {
          for (const [key, value] of Object.entries<string>(m.data ?? {})) {
            if (looksLikeSecretName(key))
              at(objectRef(m), `ConfigMap key ${key} looks like a secret: use a secretKeyRef`);
            const credential = credentialIn(String(value));
            if (credential)
              at(objectRef(m), `ConfigMap key ${key} carries a credential (${credential}): use a secretKeyRef`);
          }
        }
      }
      for (const pod of podTemplates(manifests)) {
        for (const { container } of containersOf(pod)) {
          const v = (message: string) => at(pod.ref, message, container.name);
          for (const e of container.env ?? []) {
            if (e.value !== undefined && looksLikeSecretName(e.name)) {
              v(`env ${e.name} has a literal value: use valueFrom.secretKeyRef`);
            }
            const credential = e.value === undefined ? undefined : credentialIn(String(e.value));
            if (credential) v(`env ${e.name} carries a credential (${credential}): use valueFrom.secretKeyRef`);
          }
          for (const [where, h] of handlers(container)) {
            for (const header of h.httpGet?.httpHeaders ?? []) {
              if (SECRET_HEADER.test(header.name)) {
                v(`${where} sends header ${header.name}: a probe header is a secret in plain text`);
              }
            }
            const credential = credentialIn(...(h.exec?.command ?? []));
            if (credential) v(`${where} command carries a secret (${credential})`);
          }
          const credential = credentialIn(...(container.command ?? []), ...(container.args ?? []));
          if (credential) v(`command/args carry a secret (${credential}): read it from the environment, $(VAR)`);
        }
      }
      return out;
    },
  ),

  containerRule(
    'image-pinned',
    'hardening',
    'a tag other than latest, or a digest; a digest in production',
    ({ container }, ctx) => {
      const image: string = container.image ?? '';
      const { tag, digest } = imageParts(image);
      if (!digest && (!tag || tag === 'latest')) {
        return [`image ${show(image)} must have a tag other than latest, or a digest`];
      }
      if (ctx.production && !digest?.startsWith('sha256:')) {
        return [`image ${show(image)} must be pinned by digest (@sha256:...) in production`];
      }
      return [];
    },
  ),

  containerRule(
    'resources',
    'hardening',
    'CPU, memory and ephemeral-storage requests; memory and ephemeral-storage limits',
    ({ container }) => {
      const r = container.resources ?? {};
      const missing = [
        ['requests', 'cpu'],
        ['requests', 'memory'],
        ['requests', 'ephemeral-storage'],
        ['limits', 'memory'],
        ['limits', 'ephemeral-storage'],
      ].filter(([k, res]) => r[k]?.[res] === undefined);
      return missing.length > 0 ? [`resources must set ${missing.map(([k, res]) => `${k}.${res}`).join(', ')}`] : [];
    },
  ),

  containerRule(
    'probes',
    'hardening',
    'readiness and liveness probes on long-running containers, not identical, on declared ports',
    ({ container, pod, init }) => {
      const out: string[] = [];
      const { readinessProbe, livenessProbe } = container;
      if (pod.longRunning && !init) {
        if (!readinessProbe) out.push('readinessProbe is missing');
        if (!livenessProbe) out.push('livenessProbe is missing');
        // compared as the kubelet runs them: a left-out timing at its default, a named port as its number
        if (
          readinessProbe &&
          livenessProbe &&
          probeAsRun(readinessProbe, container.ports) === probeAsRun(livenessProbe, container.ports)
        ) {
          out.push(
            'readinessProbe and livenessProbe are identical: ' +
              'a slow dependency would restart the pod instead of taking it out of rotation',
          );
        }
      }
      const ports = container.ports ?? [];
      for (const [where, h] of handlers(container)) {
        const port = h.httpGet?.port ?? h.tcpSocket?.port ?? h.grpc?.port;
        if (port === undefined) continue;
        const declared =
          typeof port === 'number'
            ? ports.some((p: any) => p.containerPort === port)
            : ports.some((p: any) => p.name === port);
        if (!declared) out.push(`${where} uses port ${show(port)}, which the container does not declare`);
      }
      return out;
    },
  ),
];
