/**
 * HTTP probes of a serving container: one path and port for all three, each probe free to take
 * its own path, and timings that fall back one by one to the defaults below.
 * @see https://kubernetes.io/docs/concepts/configuration/liveness-readiness-startup-probes/
 */

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

/** HTTP probes on a port of the container */
export interface HttpProbes {
  /** the path every probe GETs unless it names its own, e.g. `/healthz` (no auth, no database round trip) */
  readonly path: string;
  /** a port the container declares, by name or number @default the container's port, by its name */
  readonly port?: string | number;
  /** @default every 5 s, 3 s timeout, up to 36 failures: 3 minutes to start */
  readonly startup?: HttpProbe;
  /** @default every 10 s, 3 s timeout, out after 3 failures, in after 1 success */
  readonly readiness?: HttpProbe;
  /** @default every 20 s, 5 s timeout, restarted after 3 failures */
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
  readonly path: string;
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
    return { path: given.path ?? probes.path, port: probes.port ?? defaultPort, ...timings };
  };
  return { startup: one('startup'), readiness: one('readiness'), liveness: one('liveness') };
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
  const asRun = (p: EffectiveProbe) =>
    JSON.stringify([p.path, p.port, ...TIMINGS.map((t) => p[t] ?? (t === 'initialDelaySeconds' ? 0 : 1))]);
  if (asRun(effective.readiness) === asRun(effective.liveness))
    out.push([
      'liveness',
      'got the same path, port and timings as readiness; allowed: a liveness probe that differs (a slow dependency would restart the pod instead of taking it out of rotation)',
    ]);
  return out;
}
