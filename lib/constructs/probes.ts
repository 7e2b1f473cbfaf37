/**
 * Probes of a serving container: startup and readiness GET one path on one port, liveness connects
 * to that port unless it names a path of its own, each probe free to take its own path, and
 * timings that fall back one by one to the defaults below.
 *
 * Liveness is a TCP check by default: it restarts a pod whose process died or stopped listening,
 * and stays apart from readiness (kube-score reports the same path and port for both as critical:
 * a slow dependency behind that path would restart pods instead of taking them out of rotation).
 * What it does not catch is a process that accepts connections but never answers; readiness
 * takes such a pod out of rotation, and a liveness path of its own restarts it.
 * @see https://kubernetes.io/docs/concepts/configuration/liveness-readiness-startup-probes/
 */
import k8s = require('cdk8s-plus-28/lib/imports/k8s');

/** the timings of one probe; each left out takes its default (DEFAULT_PROBES) */
export interface ProbeTimings {
  /** how often the kubelet probes, in seconds */
  readonly periodSeconds?: number;
  /** how long one probe may take, in seconds */
  readonly timeoutSeconds?: number;
  /** failures in a row before the probe counts as failed */
  readonly failureThreshold?: number;
  /** successes in a row before a failed probe counts as passing again: readiness only (the API server requires 1 elsewhere) */
  readonly successThreshold?: number;
  /** @default 0 */
  readonly initialDelaySeconds?: number;
}

/** one probe: its timings, and a path of its own if it must not share the others' */
export interface HttpProbe extends ProbeTimings {
  /** @default HttpProbes.path */
  readonly path?: string;
}

/** HTTP probes on a port of the container, and a liveness check on it */
export interface HttpProbes {
  /**
   * the path the startup and readiness probes GET unless they name their own, e.g. `/healthz` (no
   * auth, no database round trip)
   */
  readonly path: string;
  /** a port the container declares, by name or number @default the container's port, by its name */
  readonly port?: string | number;
  /** @default every 5 s, 3 s timeout, up to 36 failures: 3 minutes to start */
  readonly startup?: HttpProbe;
  /** @default every 10 s, 3 s timeout, out after 3 failures, in after 1 success */
  readonly readiness?: HttpProbe;
  /**
   * a TCP connect to the port unless it names a path (then a GET of that path)
   * @default every 20 s, 5 s timeout, restarted after 3 failures
   */
  readonly liveness?: HttpProbe;
}

export const DEFAULT_PROBES = {
  startup: { periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 36 },
  readiness: { periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3, successThreshold: 1 },
  liveness: { periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 3 },
} as const satisfies Record<string, ProbeTimings>;

export type ProbeKind = keyof typeof DEFAULT_PROBES;
export const PROBE_KINDS: readonly ProbeKind[] = ['startup', 'readiness', 'liveness'];

/** a probe as it will run: path, port and every timing it sets */
export interface EffectiveProbe extends ProbeTimings {
  /** the path it GETs; undefined: a TCP connect to the port */
  readonly path?: string;
  readonly port: string | number;
}

const TIMINGS = [
  'periodSeconds',
  'timeoutSeconds',
  'failureThreshold',
  'successThreshold',
  'initialDelaySeconds',
] as const;

/** each probe with its path, port and timings, defaults filled in */
export function effectiveProbes(probes: HttpProbes, defaultPort: string | number): Record<ProbeKind, EffectiveProbe> {
  const one = (kind: ProbeKind): EffectiveProbe => {
    const given = probes[kind] ?? {};
    const timings: Record<string, number> = { ...DEFAULT_PROBES[kind] };
    for (const t of TIMINGS) if (given[t] !== undefined) timings[t] = given[t];
    const path = given.path ?? (kind === 'liveness' ? undefined : probes.path);
    return { path, port: probes.port ?? defaultPort, ...timings };
  };
  return { startup: one('startup'), readiness: one('readiness'), liveness: one('liveness') };
}

/** the probe as the pod spec takes it: an HTTP GET of its path, or a TCP connect when it has none */
export function k8sProbe(p: EffectiveProbe): k8s.Probe {
  const { path, port, ...timings } = p;
  const portRef = typeof port === 'number' ? k8s.IntOrString.fromNumber(port) : k8s.IntOrString.fromString(port);
  return path === undefined
    ? { tcpSocket: { port: portRef }, ...timings }
    : { httpGet: { path, port: portRef, scheme: 'HTTP' }, ...timings };
}

/**
 * What the kubelet makes of a field a probe leaves out: the API server's defaults for a probe.
 * @see https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#Probe
 */
export const KUBELET_PROBE_DEFAULTS = {
  initialDelaySeconds: 0,
  periodSeconds: 10,
  timeoutSeconds: 1,
  successThreshold: 1,
  failureThreshold: 3,
} as const;

/**
 * A rendered probe as the kubelet runs it, as text to compare: its handler (an HTTP GET's scheme
 * HTTP when left out, a named port as the number the container declares under that name) and
 * every timing, a left-out one at its default.
 */
export function probeAsRun(probe: any, ports: ReadonlyArray<{ name?: string; containerPort: number }> = []): string {
  const { initialDelaySeconds, periodSeconds, timeoutSeconds, successThreshold, failureThreshold, ...handler } =
    probe ?? {};
  const given = { initialDelaySeconds, periodSeconds, timeoutSeconds, successThreshold, failureThreshold };
  const timings = Object.entries(KUBELET_PROBE_DEFAULTS).map(([k, d]) => given[k as keyof typeof given] ?? d);
  // a port as rendered, or as a construct holds it (an IntOrString)
  const port = (rendered: unknown) => {
    const p = rendered instanceof k8s.IntOrString ? rendered.value : rendered;
    return ports.find((d) => d.name === p)?.containerPort ?? p;
  };
  const h = handler.httpGet
    ? { httpGet: { ...handler.httpGet, scheme: handler.httpGet.scheme ?? 'HTTP', port: port(handler.httpGet.port) } }
    : handler.tcpSocket
      ? { tcpSocket: { ...handler.tcpSocket, port: port(handler.tcpSocket.port) } }
      : handler;
  return JSON.stringify([canonical(h), timings]);
}

/** a value with its keys sorted, so that two spellings of one object compare equal */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(
    Object.keys(v)
      .sort()
      .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
  );
}

/** the name of the serving container's port, which the Service and the probes refer to */
export const HTTP_PORT_NAME = 'http';

/** every way these probes are refused, each as [field, problem], for a container whose ports are `declared` */
export function probeProblems(probes: HttpProbes, declared: readonly (string | number)[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const effective = effectiveProbes(probes, declared[0]);
  if (probes.port !== undefined && !declared.includes(probes.port))
    out.push([
      'port',
      `got ${JSON.stringify(probes.port)}; allowed: a port the container declares (${declared.map((p) => JSON.stringify(p)).join(' or ')})`,
    ]);
  const badPath = (path: string) => !path.startsWith('/');
  if (badPath(probes.path)) out.push(['path', `got ${JSON.stringify(probes.path)}; allowed: a path starting with "/"`]);
  for (const kind of PROBE_KINDS) {
    const own = probes[kind]?.path;
    if (own !== undefined && badPath(own))
      out.push([`${kind}.path`, `got ${JSON.stringify(own)}; allowed: a path starting with "/"`]);
    for (const t of TIMINGS) {
      const v = probes[kind]?.[t];
      const min = t === 'initialDelaySeconds' ? 0 : 1;
      if (v !== undefined && (!Number.isInteger(v) || v < min))
        out.push([`${kind}.${t}`, `got ${v}; allowed: a whole number from ${min}`]);
    }
    const success = probes[kind]?.successThreshold;
    if (kind !== 'readiness' && success !== undefined && success !== 1)
      out.push([
        `${kind}.successThreshold`,
        `got ${success}; allowed: 1 (the API server refuses any other for ${kind})`,
      ]);
  }
  // as the kubelet runs them: a left-out success count is 1, a left-out delay 0
  if (probeAsRun(k8sProbe(effective.readiness)) === probeAsRun(k8sProbe(effective.liveness)))
    out.push([
      'liveness',
      'got the same path, port and timings as readiness; allowed: a liveness probe that differs (a slow dependency would restart the pod instead of taking it out of rotation)',
    ]);
  return out;
}
