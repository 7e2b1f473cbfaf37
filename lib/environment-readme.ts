/**
 * dist/<env>/README.md: the environment at a glance, for a reviewer browsing the folder. Read
 * from the rendered objects (not the config) wherever the objects say it, so it shows what the
 * cluster will get: images, the migration and when each engine runs it, the security posture,
 * resources, exposure, and a diagram of the traffic the NetworkPolicies allow. No kustomization
 * lists it, so kustomize, Argo CD and Flux never read it.
 */
import type { EnvironmentConfig, PeerConfig } from './config';
import { fluxKustomizationName, repoPath } from './delivery/gitops';
import { stageOf, WAVE } from './delivery/stages';
import { HTTP_PORT } from './labels';
import { gatewayPeer } from './network';
import type { KubeObject } from './render';

export const ENVIRONMENT_README = 'README.md';

type Labels = Record<string, string>;
interface Container {
  name: string;
  image: string;
  command?: string[];
  resources?: { requests?: Labels; limits?: Labels };
  securityContext?: Record<string, any>;
  lifecycle?: { preStop?: unknown };
}
interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  securityContext?: Record<string, any>;
  automountServiceAccountToken?: boolean;
  serviceAccountName?: string;
}
interface Workload {
  id: string;
  object: KubeObject;
  labels: Labels;
  pod: PodSpec;
}
interface Peer {
  ipBlock?: { cidr: string };
  namespaceSelector?: { matchLabels?: Labels };
  podSelector?: { matchLabels?: Labels };
}
interface Rule {
  from?: Peer[];
  to?: Peer[];
  ports?: Array<{ protocol?: string; port?: number | string }>;
}

export function environmentReadme(config: EnvironmentConfig, objects: readonly KubeObject[]): string {
  const workloads = workloadsOf(objects);
  const ofKind = (kind: string) => objects.filter((o) => o.kind === kind);
  const lines = [
    `<!-- Generated from config/${config.name}.yaml by this repository's synth; do not edit by hand. -->`,
    `# ${config.name}: ReViewPoint backend`,
    '',
    `Namespace \`${config.namespace}\`${config.production ? ', **production** profile' : ''}. ` +
      `${objects.length} objects in ${[...new Set(objects.map((o) => stageOf(o.metadata)))].map((f) => `\`${f}/\``).join(' and ')}, applied from \`${repoPath(config.delivery, config.name)}\`.`,
    '',
    '## Images',
    '',
    '| object | container | image | digest |',
    '|---|---|---|---|',
    ...workloads.flatMap((w) =>
      containersOf(w.pod).map(({ c, init }) => {
        const [name, digest] = c.image.split('@');
        return `| ${w.object.kind} \`${w.object.metadata.name}\` | \`${c.name}\`${init ? ' (init)' : ''} | \`${name}\` | ${digest ? `\`${digest}\`` : '**none: the tag can move**'} |`;
      }),
    ),
    '',
    '## Migration',
    '',
    ...migration(config, objects),
    '',
    '## Security',
    '',
    `Namespace Pod Security: \`enforce: ${ofKind('Namespace')[0]?.metadata.labels?.['pod-security.kubernetes.io/enforce'] ?? 'none'}\`.`,
    '',
    secretSource(config),
    '',
    '| pod of | user:group | non-root | read-only root | privilege escalation | capabilities dropped | seccomp | API token |',
    '|---|---|---|---|---|---|---|---|',
    ...workloads.flatMap((w) =>
      containersOf(w.pod).map(({ c, init }) => {
        const p = w.pod.securityContext ?? {};
        const s = { ...p, ...c.securityContext };
        return `| ${w.object.kind} \`${w.object.metadata.name}\`, \`${c.name}\`${init ? ' (init)' : ''} | ${s.runAsUser ?? '?'}:${s.runAsGroup ?? '?'} | ${yesNo(s.runAsNonRoot)} | ${yesNo(s.readOnlyRootFilesystem)} | ${s.allowPrivilegeEscalation === false ? 'no' : '**allowed**'} | ${(s.capabilities?.drop ?? []).join(', ') || '**none**'} | ${s.seccompProfile?.type ?? '**unset**'} | ${w.pod.automountServiceAccountToken === false ? 'not mounted' : '**mounted**'} |`;
      }),
    ),
    '',
    '## Resources',
    '',
    '| object | container | CPU request | CPU limit | memory request | memory limit | ephemeral storage |',
    '|---|---|---|---|---|---|---|',
    ...workloads.flatMap((w) =>
      containersOf(w.pod).map(({ c, init }) => {
        const r = c.resources ?? {};
        return `| ${w.object.kind} \`${w.object.metadata.name}\` | \`${c.name}\`${init ? ' (init)' : ''} | ${r.requests?.cpu ?? '-'} | ${r.limits?.cpu ?? 'none'} | ${r.requests?.memory ?? '-'} | ${r.limits?.memory ?? '-'} | ${r.limits?.['ephemeral-storage'] ?? '**none**'} |`;
      }),
    ),
    '',
    ...scaling(objects),
    '',
    ...shutdown(objects),
    '',
    '## Exposure',
    '',
    ...exposure(config, objects),
    '',
    '## Objects and traffic',
    '',
    'Solid arrows: traffic the NetworkPolicies allow (everything else is denied by `default-deny`); dotted: routing between objects.',
    '',
    '```mermaid',
    ...diagram(config, objects, workloads),
    '```',
    '',
  ];
  return lines.join('\n');
}

/** where the pods' Secret comes from: an ExternalSecret of the output, or by hand */
function secretSource(config: EnvironmentConfig): string {
  const es = config.secrets.externalSecret;
  if (!es) return `Secret \`${config.secrets.name}\`: created by hand before the first sync; not in the output.`;
  return `Secret \`${config.secrets.name}\`: written by ExternalSecret \`${config.secrets.name}\` from ${es.store.kind} \`${es.store.name}\` (\`${es.remoteKey}\`), every ${es.refreshInterval}.`;
}

/** how a pod of the Deployment stops: the preStop delay, then uvicorn's drain, within the grace period */
function shutdown(objects: readonly KubeObject[]): string[] {
  const pod = (
    objects.find((o) => o.kind === 'Deployment')?.spec as
      { template?: { spec?: PodSpec & { terminationGracePeriodSeconds?: number } } } | undefined
  )?.template?.spec;
  if (!pod) return [];
  const hook = JSON.stringify(pod.containers[0]?.lifecycle?.preStop ?? null);
  const delay = /sleep\((\d+)\)/.exec(hook)?.[1];
  return [
    `Shutdown: ${delay ? `the pods keep serving ${delay} s after the stop request (preStop), then` : 'no preStop delay:'} uvicorn drains on SIGTERM; killed after ${pod.terminationGracePeriodSeconds ?? 30} s.`,
  ];
}

function yesNo(value: unknown): string {
  return value === true ? 'yes' : '**no**';
}

function workloadsOf(objects: readonly KubeObject[]): Workload[] {
  return objects
    .filter((o) => o.kind === 'Deployment' || o.kind === 'Job')
    .map((o) => {
      const template = (o.spec as { template: { metadata?: { labels?: Labels }; spec: PodSpec } }).template;
      const labels = template.metadata?.labels ?? {};
      return {
        id: labels['app.kubernetes.io/component'] ?? o.kind.toLowerCase(),
        object: o,
        labels,
        pod: template.spec,
      };
    });
}

function containersOf(pod: PodSpec): Array<{ c: Container; init: boolean }> {
  return [
    ...(pod.initContainers ?? []).map((c) => ({ c, init: true })),
    ...pod.containers.map((c) => ({ c, init: false })),
  ];
}

function migration(config: EnvironmentConfig, objects: readonly KubeObject[]): string[] {
  const m = config.migration;
  const command = `\`${m.command.join(' ')}\``;
  if (m.strategy === 'none') return ['Strategy `none`: migrations run elsewhere; nothing here runs them.'];
  if (m.strategy === 'initContainer') {
    return [
      `Strategy \`initContainer\`: ${command} runs in an init container of every pod of Deployment \`${objects.find((o) => o.kind === 'Deployment')?.metadata.name}\`, ` +
        'before the app starts: in every new pod (each rollout, each rescheduled pod), under every engine. A hung migration shows as a stalled rollout ' +
        `(\`progressDeadlineSeconds\` ${config.app.progressDeadlineSeconds}).`,
    ];
  }
  const job = objects.find((o) => o.kind === 'Job')!.metadata.name;
  const flux = fluxKustomizationName(config.name, 'migration');
  return [
    `Strategy \`job\`: Job \`${job}\` runs ${command}, at most ${m.activeDeadlineSeconds} s and ${m.backoffLimit + 1} attempts. ` +
      'Its name carries a hash of its pod template: a new migration image, command or setting gives a new name.',
    '',
    '| engine | when it runs | before the app |',
    '|---|---|---|',
    `| Argo CD | a \`Sync\` hook in wave ${WAVE.migration}: on **every** sync (alembic is a no-op when the schema is current) | the sync stops on failure |`,
    `| Flux | Kustomization \`${flux}\`: only when the Job's name changes | \`${fluxKustomizationName(config.name, 'app')}\` depends on it |`,
    `| kubectl | \`kubectl apply -k ${config.delivery.root}/${config.name}/migration\`, then \`kubectl wait\` for the Job | by hand, as the runbook says |`,
  ];
}

function scaling(objects: readonly KubeObject[]): string[] {
  const deployment = objects.find((o) => o.kind === 'Deployment');
  const hpa = objects.find((o) => o.kind === 'HorizontalPodAutoscaler');
  const pdb = objects.find((o) => o.kind === 'PodDisruptionBudget');
  const out: string[] = [];
  if (hpa) {
    const spec = hpa.spec as {
      minReplicas: number;
      maxReplicas: number;
      metrics?: Array<{ resource?: { target?: { averageUtilization?: number } } }>;
    };
    out.push(
      `Replicas: ${spec.minReplicas} to ${spec.maxReplicas}, HorizontalPodAutoscaler at ${spec.metrics?.[0]?.resource?.target?.averageUtilization ?? '?'}% CPU.`,
    );
  } else if (deployment) {
    out.push(`Replicas: ${(deployment.spec as { replicas?: number }).replicas ?? 1}, fixed.`);
  }
  if (pdb) {
    const spec = pdb.spec as { minAvailable?: number | string; maxUnavailable?: number | string };
    out.push(
      `PodDisruptionBudget: ${spec.minAvailable !== undefined ? `minAvailable ${spec.minAvailable}` : `maxUnavailable ${spec.maxUnavailable}`}.`,
    );
  } else {
    out.push('No PodDisruptionBudget.');
  }
  return [out.join(' ')];
}

function exposure(config: EnvironmentConfig, objects: readonly KubeObject[]): string[] {
  const service = objects.find((o) => o.kind === 'Service');
  const ingress = objects.find((o) => o.kind === 'Ingress');
  const ports = ((service?.spec as { ports?: Array<{ name?: string; port: number }> })?.ports ?? [])
    .map((p) => `${p.name ?? ''} ${p.port}`.trim())
    .join(', ');
  const lines = [
    `Service \`${service?.metadata.name}\` (${(service?.spec as { type?: string })?.type ?? 'ClusterIP'}, port ${ports}).`,
  ];
  if (ingress) {
    const spec = ingress.spec as {
      ingressClassName?: string;
      tls?: Array<{ secretName?: string }>;
      rules?: Array<{ host?: string }>;
    };
    const tls = spec.tls?.[0]?.secretName;
    for (const r of spec.rules ?? []) {
      lines.push(
        `Ingress \`${ingress.metadata.name}\`: **${tls ? 'https' : 'http'}://${r.host}/**${spec.ingressClassName ? `, class \`${spec.ingressClassName}\`` : ''}${tls ? `, TLS from Secret \`${tls}\`` : ', no TLS'}.`,
      );
    }
  }
  const route = objects.find((o) => o.kind === 'HTTPRoute');
  if (route) {
    const spec = route.spec as {
      hostnames?: string[];
      parentRefs?: Array<{ name: string; namespace?: string; sectionName?: string }>;
    };
    const gateway = spec.parentRefs?.[0];
    lines.push(
      `HTTPRoute \`${route.metadata.name}\`: **${(spec.hostnames ?? []).join(', ')}** through Gateway \`${gateway?.namespace ?? config.namespace}/${gateway?.name}\`${gateway?.sectionName ? `, listener \`${gateway.sectionName}\`` : ''}.`,
    );
  }
  if (!ingress && !route) lines.push('No Ingress or HTTPRoute: reachable inside the cluster only.');
  lines.push(
    `Port ${HTTP_PORT} of the pods is open to: ${callers(config)
      .map(([peer, who]) => `${peerText(peer)} (${who})`)
      .join('; ')}.`,
  );
  return [lines.join(' ')];
}

/** who the config lets reach the app's port: the ingress controller, the gateway, the scrapers */
function callers(config: EnvironmentConfig): Array<[PeerConfig, string]> {
  const out: Array<[PeerConfig, string]> = [];
  if (config.allowIngressFrom) out.push([config.allowIngressFrom, 'ingress controller']);
  if (config.route) out.push([gatewayPeer(config.route), 'gateway']);
  if (config.serviceMonitor) out.push([config.serviceMonitor.allowFrom, 'metrics scrapers']);
  return out;
}

/** a peer as text, the same for a NetworkPolicy peer and the config's, so the two can be matched */
function peerText(p: PeerConfig): string {
  if (p.cidr) return p.cidr;
  const labels = Object.entries(p.podLabels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  return `namespace ${p.namespace}, ${labels ? `pods ${labels}` : 'all pods'}`;
}

function fromPolicyPeer(p: Peer, namespace: string): PeerConfig {
  if (p.ipBlock) return { cidr: p.ipBlock.cidr };
  return {
    namespace: p.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] ?? namespace,
    podLabels: p.podSelector?.matchLabels,
  };
}

function selects(selector: Labels | undefined, labels: Labels): boolean {
  return Object.entries(selector ?? {}).every(([k, v]) => labels[k] === v);
}

function diagram(config: EnvironmentConfig, objects: readonly KubeObject[], workloads: readonly Workload[]): string[] {
  const roles = new Map<string, string>([
    ...callers(config).map(([peer, who]): [string, string] => [
      peerText(peer),
      `${who}, allowed in on port ${HTTP_PORT}`,
    ]),
    [peerText(config.database.egress), 'database'],
    [peerText({ namespace: config.dns.namespace, podLabels: config.dns.podLabels }), 'DNS'],
  ]);
  const nodes: string[] = [];
  const edges = new Set<string>();
  const peerIds = new Map<string, string>();
  const label = (text: string) => `"${text.replace(/"/g, '#quot;')}"`;

  for (const w of workloads) {
    const init = w.pod.initContainers?.map((c) => c.name).join(', ');
    nodes.push(
      `  ${w.id}[${label(`pods of ${w.object.kind} ${w.object.metadata.name}${init ? `<br/>init container: ${init}` : ''}`)}]`,
    );
  }
  /** the workloads a selector in our namespace picks, or else a peer node */
  const ends = (peer: PeerConfig): string[] => {
    if (peer.namespace === config.namespace) {
      const ours = workloads.filter((w) => selects(peer.podLabels, w.labels)).map((w) => w.id);
      if (ours.length > 0) return ours;
    }
    const text = peerText(peer);
    let id = peerIds.get(text);
    if (!id) {
      id = `peer${peerIds.size + 1}`;
      peerIds.set(text, id);
      const role = roles.get(text);
      const body = label(role ? `${role}<br/>${text}` : text);
      nodes.push(role === 'database' ? `  ${id}[(${body})]` : `  ${id}[${body}]`);
    }
    return [id];
  };
  const ports = (rule: Rule) =>
    (rule.ports ?? []).map((p) => `${p.protocol ?? 'TCP'} ${p.port ?? 'any'}`).join(', ') || 'any port';

  for (const policy of objects.filter((o) => o.kind === 'NetworkPolicy')) {
    const spec = policy.spec as { podSelector?: { matchLabels?: Labels }; ingress?: Rule[]; egress?: Rule[] };
    const selected = ends({ namespace: config.namespace, podLabels: spec.podSelector?.matchLabels ?? {} });
    for (const rule of spec.ingress ?? []) {
      for (const from of (rule.from ?? []).flatMap((p) => ends(fromPolicyPeer(p, config.namespace)))) {
        for (const to of selected) edges.add(`  ${from} -->|${label(ports(rule))}| ${to}`);
      }
    }
    for (const rule of spec.egress ?? []) {
      for (const to of (rule.to ?? []).flatMap((p) => ends(fromPolicyPeer(p, config.namespace)))) {
        for (const from of selected) edges.add(`  ${from} -->|${label(ports(rule))}| ${to}`);
      }
    }
  }

  const routes: string[] = [];
  const service = objects.find((o) => o.kind === 'Service');
  if (service) {
    nodes.push(`  service[${label(`Service ${service.metadata.name}`)}]`);
    const selector = (service.spec as { selector?: Labels }).selector;
    for (const w of workloads.filter((x) => selects(selector, x.labels))) routes.push(`  service -.-> ${w.id}`);
  }
  const ingress = objects.find((o) => o.kind === 'Ingress');
  if (ingress) {
    const hosts = ((ingress.spec as { rules?: Array<{ host?: string }> }).rules ?? []).map((r) => r.host).join(', ');
    nodes.push(`  ingress[${label(`Ingress ${ingress.metadata.name}<br/>${hosts}`)}]`);
    routes.unshift('  ingress -.-> service');
  }
  const route = objects.find((o) => o.kind === 'HTTPRoute');
  if (route) {
    nodes.push(
      `  route[${label(`HTTPRoute ${route.metadata.name}<br/>${((route.spec as { hostnames?: string[] }).hostnames ?? []).join(', ')}`)}]`,
    );
    routes.unshift('  route -.-> service');
  }
  return ['flowchart LR', ...nodes, ...routes, ...edges];
}
