/**
 * The tables and paragraphs of the README, each read from the rendered objects: images, the
 * migration, the security posture, resources and scaling, and how the app is exposed.
 */
import type { EnvironmentConfig, PeerConfig } from '../config';
import { forwardedAllowIps, TRUST_EVERY_PEER, trustedEntries } from '../config/proxies';
import { argoCdApplicationName, fluxKustomizationName } from '../app/delivery';
import { appliedBeforeFailure, argoCdPlan } from '../delivery/model';
import { WAVE } from '../delivery/stages';
import { gatewayPeers } from '../app/backend';
import { APP_NAME, HTTP_PORT, METRICS_PATH } from '../app/labels';
import { ingressClassOf, RELOADER_SECRET_RELOAD } from '../constructs/annotations';
import { CRON_DEFAULTS } from '../constructs/cron-schedule';
import { TMP_VOLUME } from '../constructs/hardened-container';
import { BLOCKED_PORT } from '../constructs/web-service';
import { UPLOAD_DIR, UPLOADS_VOLUME } from '../app-env';
import { imageParts, imageReference } from '../image-reference';
import { referencesOf } from '../delivery/references';
import { byCodeUnit } from '../determinism';
import type { KubeObject } from '../kube-object';
import type { Manifest } from '../policy/types';
import { containersOf, type PodSpec, type Workload } from './workloads';

/** every container's image, and whether a digest pins it */
export function images(workloads: readonly Workload[]): string[] {
  return [
    '| object | container | image | digest |',
    '|---|---|---|---|',
    ...workloads.flatMap((w) =>
      containersOf(w.pod).map(({ c, init }) => {
        const { digest, ...name } = imageParts(c.image);
        return `| ${w.object.kind} \`${w.object.metadata.name}\` | \`${c.name}\`${init ? ' (init)' : ''} | \`${imageReference(name)}\` | ${digest ? `\`${digest}\`` : '**none: the tag can move**'} |`;
      }),
    ),
  ];
}

/** every container's security context, merged over its pod's */
export function security(workloads: readonly Workload[]): string[] {
  return [
    '| pod of | user:group | non-root | read-only root | privilege escalation | capabilities dropped | seccomp | API token |',
    '|---|---|---|---|---|---|---|---|',
    ...workloads.flatMap((w) =>
      containersOf(w.pod).map(({ c, init }) => {
        const p = w.pod.securityContext ?? {};
        const s = { ...p, ...c.securityContext };
        return `| ${w.object.kind} \`${w.object.metadata.name}\`, \`${c.name}\`${init ? ' (init)' : ''} | ${s.runAsUser ?? '?'}:${s.runAsGroup ?? '?'} | ${yesNo(s.runAsNonRoot)} | ${yesNo(s.readOnlyRootFilesystem)} | ${s.allowPrivilegeEscalation === false ? 'no' : '**allowed**'} | ${(s.capabilities?.drop ?? []).join(', ') || '**none**'} | ${s.seccompProfile?.type ?? '**unset**'} | ${w.pod.automountServiceAccountToken === false ? 'not mounted' : '**mounted**'} |`;
      }),
    ),
  ];
}

/** every container's requests and limits */
export function resources(workloads: readonly Workload[]): string[] {
  return [
    '| object | container | CPU request | CPU limit | memory request | memory limit | ephemeral storage |',
    '|---|---|---|---|---|---|---|',
    ...workloads.flatMap((w) =>
      containersOf(w.pod).map(({ c, init }) => {
        const r = c.resources ?? {};
        return `| ${w.object.kind} \`${w.object.metadata.name}\` | \`${c.name}\`${init ? ' (init)' : ''} | ${r.requests?.cpu ?? '-'} | ${r.limits?.cpu ?? 'none'} | ${r.requests?.memory ?? '-'} | ${r.limits?.memory ?? '-'} | ${r.limits?.['ephemeral-storage'] ?? '**none**'} |`;
      }),
    ),
  ];
}

/** where the pods' Secret comes from: an ExternalSecret of the output, or by hand */
export function secretSource(config: EnvironmentConfig): string {
  const es = config.secrets.externalSecret;
  if (!es) return `Secret \`${config.secrets.name}\`: created by hand before the first sync; not in the output.`;
  return `Secret \`${config.secrets.name}\`: written by ExternalSecret \`${config.secrets.name}\` from ${es.store.kind} \`${es.store.name}\` (\`${es.remoteKey}\`), every ${es.refreshInterval}.`;
}

/** where the app's pods write: /tmp, and the uploads on an emptyDir or a claim */
export function storage(objects: readonly KubeObject[]): string[] {
  const pod = (
    objects.find((o) => o.kind === 'Deployment' && o.metadata.name === APP_NAME)?.spec as
      { template?: { spec?: { volumes?: Array<Record<string, any>> } } } | undefined
  )?.template?.spec;
  if (!pod) return [];
  const volume = (name: string) => pod.volumes?.find((v) => v.name === name);
  const tmp = volume(TMP_VOLUME)?.emptyDir?.sizeLimit;
  const uploads = volume(UPLOADS_VOLUME);
  const claimName = uploads?.persistentVolumeClaim?.claimName;
  const claim = objects.find((o) => o.kind === 'PersistentVolumeClaim' && o.metadata.name === claimName);
  let where: string;
  if (claim) {
    const spec = claim.spec as { accessModes?: string[]; storageClassName?: string; resources?: any };
    where = `PersistentVolumeClaim \`${claimName}\` of this output, ${spec.resources?.requests?.storage}, ${(spec.accessModes ?? []).join(', ')}, ${spec.storageClassName ? `class \`${spec.storageClassName}\`` : "the cluster's default class"}; no engine prunes or deletes it`;
  } else if (claimName) {
    where = `the existing PersistentVolumeClaim \`${claimName}\`, created before the first sync`;
  } else {
    where = `an emptyDir of ${uploads?.emptyDir?.sizeLimit} per pod: each pod's own files, deleted with the pod at every rollout`;
  }
  return [
    `Storage: \`/tmp\` is an emptyDir of ${tmp} per pod, where Starlette spools each uploaded file over 1 MiB (a pod past it is evicted at once). Uploads (\`${UPLOAD_DIR}\`): ${where}.`,
  ];
}

/** how a rotated Secret reaches the pods: a reloader, or a restart by hand */
export function secretRotation(config: EnvironmentConfig, objects: readonly KubeObject[]): string {
  const reloaded = objects.filter((o) => o.kind === 'Deployment' && o.metadata.annotations?.[RELOADER_SECRET_RELOAD]);
  const restart = `\`kubectl -n ${config.namespace} rollout restart deployment/${APP_NAME}\``;
  const workers = objects.some((o) => o.kind === 'Deployment' && o.metadata.name !== APP_NAME);
  if (reloaded.length === 0)
    return `Rotation: the pods read the Secret as env vars when they start; after it changes, ${restart}${workers ? " (each worker's Deployment likewise)" : ''}.`;
  return `Rotation: Stakater Reloader rolls ${reloaded
    .map(
      (o) =>
        `Deployment \`${o.metadata.name}\` when ${o.metadata
          .annotations![RELOADER_SECRET_RELOAD].split(',')
          .map((n) => `\`${n}\``)
          .join(', ')} changes`,
    )
    .join('; ')} (by hand: ${restart}).`;
}

/** how a pod of the Deployment stops: the preStop delay, then uvicorn's drain, within the grace period */
export function shutdown(objects: readonly KubeObject[]): string[] {
  const pod = (
    objects.find((o) => o.kind === 'Deployment' && o.metadata.name === APP_NAME)?.spec as
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

export function migration(config: EnvironmentConfig, objects: readonly KubeObject[]): string[] {
  const m = config.migration;
  const wait = m.waitForDatabaseSeconds;
  const command =
    `\`${m.command.join(' ')}\`` + (wait > 0 ? ` (once the database answers, waiting up to ${wait} s for it)` : '');
  if (m.strategy === 'none') return ['Strategy `none`: migrations run elsewhere; nothing here runs them.'];
  if (m.strategy === 'initContainer') {
    return [
      `Strategy \`initContainer\`: ${command} runs in an init container of every pod of Deployment \`${APP_NAME}\`, ` +
        'before the app starts: in every new pod (each rollout, each rescheduled pod), under every engine. A hung migration shows as a stalled rollout ' +
        `(\`progressDeadlineSeconds\` ${config.app.progressDeadlineSeconds}).`,
    ];
  }
  const jobObject = objects.find((o) => o.kind === 'Job')!;
  const job = jobObject.metadata.name;
  const flux = fluxKustomizationName(config.name, 'migration');
  // the same objects under every engine (the delivery tests show it): Argo CD's plan stands for all
  const kept = appliedBeforeFailure(argoCdPlan(objects), jobObject)
    .map((o) => `${o.kind} \`${o.metadata?.name}\``)
    .join(', ');
  const externalSecret = objects.find((o) => o.kind === 'ExternalSecret')?.metadata.name;
  return [
    `Strategy \`job\`: Job \`${job}\` runs ${command}, at most ${m.activeDeadlineSeconds} s and ${m.backoffLimit + 1} attempts${(jobObject.spec as { podFailurePolicy?: unknown }).podFailurePolicy ? ' (a pod a drain or preemption took away is not counted)' : ''}. ` +
      'Its name carries a hash of its pod template: a new migration image, command or setting gives a new name.',
    '',
    '| engine | when it runs | before the app |',
    '|---|---|---|',
    `| Argo CD | a \`Sync\` hook in wave ${WAVE.migration}: on every full sync (a new commit, a retry, a manual sync; alembic is a no-op when the schema is current), not on a self-heal, which re-applies what drifted and skips hooks | the sync stops on failure |`,
    `| Flux | Kustomization \`${flux}\`: only when the Job's name changes | \`${fluxKustomizationName(config.name, 'app')}\` depends on it |`,
    `| kubectl | \`kubectl apply -k ${config.delivery.root}/${config.name}/migration\`, then \`kubectl wait\` for the Job | by hand, as the runbook says |`,
    '',
    `A failed migration holds back the app's objects, not what is applied before or with the Job: ${kept}. Under every engine those are in the cluster by then, and a change to them reaches the running app${externalSecret ? " (the Secret's new values when a pod next starts)" : ''}.`,
    ...(externalSecret
      ? [
          '',
          `ExternalSecret \`${externalSecret}\`: Argo CD waits for it in wave ${WAVE.beforeMigration}, and if the operator never writes its status the sync holds forever (retries do not cover a resource that stays Progressing): \`argocd app terminate-op ${argoCdApplicationName(config.name)}\`, fix the store, sync again. ` +
            `Flux applies it and the Job in one batch and does not wait for its Secret: the Job's pod waits in CreateContainerConfigError until the Secret exists, within activeDeadlineSeconds (${m.activeDeadlineSeconds} s).`,
        ]
      : []),
    ...secondWorkloads(objects),
  ];
}

/** replicas and budget of the app, then of each worker */
/** the workers and CronJobs, which start with the app, after the migration */
function secondWorkloads(objects: readonly KubeObject[]): string[] {
  const names = objects
    .filter((o) => (o.kind === 'Deployment' && o.metadata.name !== APP_NAME) || o.kind === 'CronJob')
    .map((o) => `${o.kind} \`${o.metadata.name}\``);
  if (names.length === 0) return [];
  return ['', `${names.join(', ')}: in the app's stage, so they too start only after the migration.`];
}

export function scaling(objects: readonly KubeObject[]): string[] {
  const deployments = objects.filter((o) => o.kind === 'Deployment');
  const app = deployments.filter((d) => d.metadata.name === APP_NAME);
  const workers = deployments.filter((d) => d.metadata.name !== APP_NAME);
  return [
    ...app.map((d) => scalingOf(objects, d).join(' ')),
    ...workers.flatMap((d) => ['', `Worker \`${d.metadata.name}\`: ${scalingOf(objects, d).join(' ')}`]),
  ];
}

function scalingOf(objects: readonly KubeObject[], deployment: KubeObject): string[] {
  const named = (kind: string) => objects.find((o) => o.kind === kind && o.metadata.name === deployment.metadata.name);
  const hpa = named('HorizontalPodAutoscaler');
  const pdb = named('PodDisruptionBudget');
  const out: string[] = [];
  if (hpa) {
    const spec = hpa.spec as {
      minReplicas: number;
      maxReplicas: number;
      metrics?: Array<{ resource?: { name?: string; target?: { averageUtilization?: number } } }>;
      behavior?: Record<string, { stabilizationWindowSeconds?: number; selectPolicy?: string; policies?: unknown[] }>;
    };
    const targets = (spec.metrics ?? [])
      .map(
        (m) =>
          `${m.resource?.target?.averageUtilization ?? '?'}% ${m.resource?.name === 'cpu' ? 'CPU' : m.resource?.name}`,
      )
      .join(' and ');
    // the directions the config shapes; the others keep the API server's defaults
    const behavior = Object.entries(spec.behavior ?? {}).map(([direction, r]) =>
      [
        direction,
        r.selectPolicy === 'Disabled' ? 'disabled' : undefined,
        r.stabilizationWindowSeconds !== undefined ? `window ${r.stabilizationWindowSeconds} s` : undefined,
        r.policies
          ? `${r.policies.length} polic${r.policies.length === 1 ? 'y' : 'ies'}${r.selectPolicy && r.selectPolicy !== 'Disabled' ? ` (${r.selectPolicy})` : ''}`
          : undefined,
      ]
        .filter(Boolean)
        .join(' '),
    );
    out.push(
      `Replicas: ${spec.minReplicas} to ${spec.maxReplicas}, HorizontalPodAutoscaler at ${targets || '?'}${behavior.length ? `; behavior: ${behavior.join(', ')}` : ''}.`,
    );
  } else {
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
  return out;
}

/** when each CronJob runs, how its runs may overlap, and how long one may take */
export function schedules(objects: readonly KubeObject[]): string[] {
  return objects
    .filter((o) => o.kind === 'CronJob')
    .map((o) => {
      const spec = o.spec as {
        schedule: string;
        timeZone?: string;
        concurrencyPolicy?: string;
        jobTemplate: { spec: { activeDeadlineSeconds?: number; backoffLimit?: number } };
      };
      const job = spec.jobTemplate.spec;
      const attempts = (job.backoffLimit ?? CRON_DEFAULTS.backoffLimit) + 1;
      return `CronJob \`${o.metadata.name}\`: \`${spec.schedule}\` (${spec.timeZone ?? "the controller's time zone"}), concurrency \`${spec.concurrencyPolicy ?? 'Allow'}\`, each run at most ${job.activeDeadlineSeconds ?? 'unbounded'} s and ${attempts} attempt${attempts === 1 ? '' : 's'}.`;
    });
}

export function exposure(config: EnvironmentConfig, objects: readonly KubeObject[]): string[] {
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
      rules?: Array<{ host?: string; http?: { paths?: Array<{ path?: string; pathType?: string }> } }>;
    };
    const tls = spec.tls?.[0]?.secretName;
    for (const r of spec.rules ?? []) {
      // a Prefix path is written as such; an Exact or controller-specific one says so; a blocked
      // one is told apart below
      const urls = (r.http?.paths ?? [{ path: '/', pathType: 'Prefix' }])
        .filter((p) => !ingressBlocks(p))
        .map(
          (p) =>
            `**${tls ? 'https' : 'http'}://${r.host}${p.path}**${p.pathType === 'Prefix' ? '' : ` (${p.pathType})`}`,
        );
      lines.push(
        `Ingress \`${ingress.metadata.name}\`: ${urls.join(', ')}${spec.ingressClassName ? `, class \`${spec.ingressClassName}\`` : ''}${tls ? `, TLS from Secret \`${tls}\`` : ', no TLS'}.`,
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
      `HTTPRoute \`${route.metadata.name}\`: **${(spec.hostnames ?? []).join(', ')}**${routeMatches(route)} through Gateway \`${gateway?.namespace ?? config.namespace}/${gateway?.name}\`${gateway?.sectionName ? `, listener \`${gateway.sectionName}\`` : ''}.`,
    );
  }
  if (!ingress && !route)
    lines.push('No Ingress or HTTPRoute: nothing outside the cluster reaches it, and inside it only the peers below.');
  lines.push(...edgeBlocks(config, ingress, route));
  lines.push(
    `Port ${HTTP_PORT} of the pods is open to: ${callers(config)
      .map(([peer, who]) => `${peerText(peer)} (${who})`)
      .join('; ')}.`,
  );
  return [lines.join(' ')];
}

interface IngressPath {
  path?: string;
  pathType?: string;
  backend?: { service?: { port?: { name?: string } } };
}

/** an Ingress path sent to the Service's port without endpoints */
const ingressBlocks = (p: IngressPath) => p.backend?.service?.port?.name === BLOCKED_PORT.name;

/** what the edge does with the paths kept from it, or that the metrics are public by choice */
function edgeBlocks(config: EnvironmentConfig, ingress?: KubeObject, route?: KubeObject): string[] {
  const ingressPaths = new Set(
    ((ingress?.spec as { rules?: Array<{ http?: { paths?: IngressPath[] } }> })?.rules ?? [])
      .flatMap((r) => r.http?.paths ?? [])
      .filter(ingressBlocks)
      .map((p) => p.path),
  );
  const routePaths = (
    (route?.spec as { rules?: Array<{ backendRefs?: unknown[]; filters?: unknown[]; matches?: IngressPath[] }> })
      ?.rules ?? []
  )
    .filter((r) => !r.backendRefs?.length && !r.filters?.length)
    .flatMap((r) => (r.matches ?? []).map((m) => (m as { path?: { value?: string } }).path?.value));
  const code = (paths: Iterable<string | undefined>) => [...paths].map((p) => `\`${p}\``).join(', ');
  const out: string[] = [];
  if (ingressPaths.size > 0)
    out.push(
      `The Ingress sends ${code(ingressPaths)} to the Service's port \`${BLOCKED_PORT.name}\`, which has no endpoints: ${
        /traefik/i.test(
          ingressClassOf(
            (ingress?.spec as { ingressClassName?: string } | undefined)?.ingressClassName,
            ingress?.metadata.annotations,
          ) ?? '',
        )
          ? 'Traefik answers 503 only when its provider sets allowEmptyServices, and otherwise drops the path, which then reaches the app through `/`.'
          : 'ingress-nginx answers 503.'
      }`,
    );
  if (routePaths.length > 0) out.push(`The HTTPRoute answers 404 for ${code(routePaths)} (a rule with no backend).`);
  if (out.length > 0)
    out.push(
      "Inside the cluster they still answer, at the pods and through the Service: the kubelet's probes and a ServiceMonitor do not pass the edge.",
    );
  else if (config.metrics.public && (ingress || route))
    out.push(
      `\`${METRICS_PATH}\` (Prometheus text, no authentication) is public at the edge: \`metrics.public: true\`.`,
    );
  return out;
}

/** who the config lets reach the app's port: the ingress controller, the gateway, the scrapers, one entry a peer */
export function callers(config: EnvironmentConfig): Array<[PeerConfig, string]> {
  const out: Array<[PeerConfig, string]> = [];
  for (const p of config.allowIngressFrom ?? []) out.push([p, 'ingress controller']);
  if (config.route) for (const p of gatewayPeers(config.route)) out.push([p, 'gateway']);
  for (const p of config.serviceMonitor?.allowFrom ?? []) out.push([p, 'metrics scrapers']);
  return out;
}

/** the route's matches and timeouts, when they are not every path with the gateway's timeouts */
function routeMatches(route: KubeObject): string {
  const rule = (
    route.spec as {
      rules?: Array<{
        matches?: Array<{
          path?: { type?: string; value?: string };
          headers?: Array<{ name: string }>;
          method?: string;
        }>;
        timeouts?: { request?: string; backendRequest?: string };
      }>;
    }
  ).rules?.[0];
  const matches = (rule?.matches ?? []).map((m) =>
    [
      m.method,
      m.path && (m.path.type === 'PathPrefix' ? `${m.path.value}` : `${m.path.value} (${m.path.type})`),
      m.headers?.length ? `with header ${m.headers.map((h) => h.name).join(', ')}` : undefined,
    ]
      .filter(Boolean)
      .join(' '),
  );
  const everything = matches.length === 1 && matches[0] === '/';
  const t = rule?.timeouts;
  const timeouts = t
    ? `, timeouts ${[t.request && `request ${t.request}`, t.backendRequest && `backend ${t.backendRequest}`].filter(Boolean).join(', ')}`
    : '';
  return `${everything ? '' : ` (${matches.join('; ')})`}${timeouts}`;
}

/** a peer as text, the same for a NetworkPolicy peer and the config's, so the two can be matched */
export function peerText(p: PeerConfig): string {
  if (p.cidr) return p.except?.length ? `${p.cidr} except ${p.except.join(', ')}` : p.cidr;
  const labels = Object.entries(p.podLabels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  return `namespace ${p.namespace}, ${labels ? `pods ${labels}` : 'all pods'}`;
}

/**
 * The Secrets and ConfigMaps the pods' env reads beyond the app's own (the config's Secret and the
 * settings ConfigMap): prerequisites the team creates, and for envFrom, variables no gate sees
 */
export function envSources(config: EnvironmentConfig, objects: readonly KubeObject[]): string[] {
  const inOutput = (kind: string, name: string) => objects.some((o) => o.kind === kind && o.metadata.name === name);
  const rows = new Map<string, { kind: string; name: string; readers: Set<string>; envFrom: boolean }>();
  for (const o of objects) {
    for (const r of referencesOf(o as Manifest, objects as Manifest[])) {
      const envFrom = r.field.includes('.envFrom[');
      if (!envFrom && !r.field.includes('.env[')) continue;
      if ((r.kind === 'Secret' && r.name === config.secrets.name) || inOutput(r.kind, r.name)) continue;
      const key = `${r.kind}/${r.name}`;
      const row = rows.get(key) ?? { kind: r.kind, name: r.name, readers: new Set<string>(), envFrom: false };
      row.readers.add(`${o.kind} \`${o.metadata.name}\``);
      row.envFrom ||= envFrom;
      rows.set(key, row);
    }
  }
  if (rows.size === 0) return [];
  const sorted = [...rows.values()].sort((a, b) => byCodeUnit(`${a.kind}/${a.name}`, `${b.kind}/${b.name}`));
  return [
    '## Prerequisites of the env',
    '',
    'Created by the team before the first sync (a pod whose source is missing waits in `CreateContainerConfigError`):',
    '',
    '| object | read by | how |',
    '|---|---|---|',
    ...sorted.map(
      (r) =>
        `| ${r.kind} \`${r.name}\` | ${[...r.readers].join(', ')} | ${r.envFrom ? '**envFrom**: every key is a variable' : 'env, by key'} |`,
    ),
    '',
    ...(sorted.some((r) => r.envFrom)
      ? [
          "What an envFrom source holds is the team's to keep safe: the synth never sees its keys. Keep out of it the settings the synth sets (`REVIEWPOINT_*`, in any case), test and debug switches (`REVIEWPOINT_TEST_MODE`, `REVIEWPOINT_DEBUG`, `ENVIRONMENT`, `PYTEST_CURRENT_TEST`, `FAST_TESTS`), `ENV_FILE`, and interpreter loader variables (`LD_*`, `PYTHON*`).",
          '',
        ]
      : []),
  ];
}

/** whom the app's uvicorn believes X-Forwarded-For from, with a warning when it is every peer */
export function forwardedHeaders(objects: readonly KubeObject[]): string[] {
  const pod = (
    objects.find((o) => o.kind === 'Deployment' && o.metadata.name === APP_NAME)?.spec as
      { template?: { spec?: PodSpec } } | undefined
  )?.template?.spec;
  const c = pod?.containers[0];
  const value = c && forwardedAllowIps([...(c.command ?? []), ...(c.args ?? [])])?.value;
  if (value === undefined) return [];
  if (trustedEntries(value).includes(TRUST_EVERY_PEER))
    return [
      "**Warning: uvicorn trusts X-Forwarded-For from every peer** (`--forwarded-allow-ips '*'`): it takes the left-most entry, which a client writes itself behind a proxy that appends, so client addresses can be forged. Name the proxies in `app.trustedProxies` (required in production).",
    ];
  return [`Forwarded headers: uvicorn believes X-Forwarded-For and X-Forwarded-Proto only from \`${value}\`.`];
}
