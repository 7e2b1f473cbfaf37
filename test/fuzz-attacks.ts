/**
 * The attacker classes of issue 16, each a mutation of a production config and what a production
 * synth must then never have: stated on the objects the synth checked and wrote.
 */
import * as fc from 'fast-check';
import { containersOf, podTemplates } from '../lib/policy/pods';
import { quantityValue } from '../lib/quantity';
import type { KubeObject, RenderedEnvironment } from '../lib/render';
import { anyCase, DEEP, otherCase, PRINTABLE_TEXT, type Base, type Edit } from './fuzz-mutations';

// ---- what a production output must never have ----

/** pydantic's spellings of a boolean, compared in any case */
const PYDANTIC_TRUE = ['1', 'on', 't', 'true', 'y', 'yes'];
const PYDANTIC_FALSE = ['0', 'off', 'f', 'false', 'n', 'no'];

/** each container's environment as the process gets it: the ConfigMaps it loads, then its env */
function podEnvironments(objects: readonly KubeObject[]): Array<{ where: string; vars: Array<[string, string]> }> {
  const configMaps = new Map(
    objects
      .filter((o) => o.kind === 'ConfigMap')
      .map((o) => [o.metadata.name, (o.data ?? {}) as Record<string, string>]),
  );
  return podTemplates(objects).flatMap((pod) =>
    containersOf(pod).map(({ container }) => {
      const vars: Array<[string, string]> = [];
      for (const from of container.envFrom ?? [])
        if (from.configMapRef)
          for (const [k, v] of Object.entries(configMaps.get(from.configMapRef.name) ?? {}))
            vars.push([`${from.prefix ?? ''}${k}`, v]);
      for (const e of container.env ?? []) {
        const ref = e.valueFrom?.configMapKeyRef;
        if (typeof e.value === 'string') vars.push([e.name, e.value]);
        else if (ref) vars.push([e.name, configMaps.get(ref.name)?.[ref.key] ?? '']);
      }
      return { where: `${pod.ref} container "${container.name}"`, vars };
    }),
  );
}

/**
 * The backend's settings read as pydantic-settings reads them (case_sensitive=False, its boolean
 * spellings): any spelling of a name sets the field, so any one is weaker.
 */
function weakSettings(r: RenderedEnvironment): string[] {
  const problems: string[] = [];
  for (const { where, vars } of podEnvironments(r.objects)) {
    for (const [name, value] of vars) {
      const [n, v] = [name.toLowerCase(), value.toLowerCase()];
      const weak =
        (n === 'reviewpoint_auth_enabled' && PYDANTIC_FALSE.includes(v)) ||
        ((n === 'reviewpoint_environment' || n === 'environment') && v === 'test') ||
        ((n === 'reviewpoint_test_mode' || n === 'reviewpoint_debug') && PYDANTIC_TRUE.includes(v));
      if (weak) problems.push(`${where}: ${name}=${value}`);
    }
  }
  return problems;
}

/** test switches the backend reads, and variables that point the interpreter at other code */
const SWITCHES: Readonly<Record<string, readonly string[]>> = {
  PYTEST_CURRENT_TEST: ['tests/test_auth.py::test_login (call)', 'x'],
  FAST_TESTS: ['1', 'true'],
  LD_PRELOAD: ['/app/uploads/x.so'],
  PYTHONPATH: ['/app/uploads', '/tmp'],
  PYTHONSTARTUP: ['/tmp/x.py'],
  PYTHONHOME: ['/tmp'],
  ENV_FILE: ['/app/uploads/.env'],
};

function testSwitches(r: RenderedEnvironment): string[] {
  return podEnvironments(r.objects).flatMap(({ where, vars }) =>
    vars
      .filter(([name, value]) => name in SWITCHES && value !== '')
      .map(([name, value]) => `${where}: ${name}=${value}`),
  );
}

/** a peer of every address (prefix 0), or an ingress peer broader than any private range (/8, fc00::/7) */
function broadPeers(r: RenderedEnvironment): string[] {
  const problems: string[] = [];
  for (const np of r.objects.filter((o) => o.kind === 'NetworkPolicy') as any[]) {
    const peers = [
      ...(np.spec.ingress ?? []).flatMap((rule: any) => (rule.from ?? []).map((p: any) => ['ingress', p])),
      ...(np.spec.egress ?? []).flatMap((rule: any) => (rule.to ?? []).map((p: any) => ['egress', p])),
    ];
    for (const [direction, peer] of peers) {
      const cidr: string | undefined = peer.ipBlock?.cidr;
      if (cidr === undefined) continue;
      const prefix = Number(cidr.split('/')[1]);
      const broadest = cidr.includes(':') ? 7 : 8;
      if (prefix === 0 || (direction === 'ingress' && prefix < broadest))
        problems.push(`NetworkPolicy/${np.metadata.name}: ${direction} ${cidr}`);
    }
  }
  return problems;
}

/** annotations that inject controller configuration, dodge the host check, or steer an engine */
const CONTROL_ANNOTATIONS = [
  'nginx.ingress.kubernetes.io/configuration-snippet',
  'nginx.ingress.kubernetes.io/server-snippet',
  'nginx.ingress.kubernetes.io/auth-snippet',
  'nginx.ingress.kubernetes.io/stream-snippet',
  'nginx.ingress.kubernetes.io/server-alias',
  'argocd.argoproj.io/hook',
  'argocd.argoproj.io/sync-options',
  'argocd.argoproj.io/compare-options',
  'kustomize.toolkit.fluxcd.io/reconcile',
  'helm.sh/hook',
];
/** what the API server allows for all annotations of one object */
const ANNOTATIONS_LIMIT = 256 * 1024;

function badAnnotations(r: RenderedEnvironment): string[] {
  const problems: string[] = [];
  for (const o of r.objects) {
    const annotations = o.metadata.annotations ?? {};
    const size = Object.entries(annotations).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
    if (size > ANNOTATIONS_LIMIT) problems.push(`${o.kind}/${o.metadata.name}: annotations of ${size} bytes`);
    if (o.kind === 'Ingress')
      for (const key of Object.keys(annotations))
        if (CONTROL_ANNOTATIONS.includes(key)) problems.push(`${o.kind}/${o.metadata.name}: ${key}`);
  }
  return problems;
}

/** every string in some data */
function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => [k, ...stringsOf(v)]);
}

/** scheme://user:password@ */
const USERINFO = /[a-z][a-z0-9+.-]*:\/\/[^\s/?#@]*:[^\s/?#@]+@/i;
/** a command-line flag whose value is a secret */
const SECRET_FLAG =
  /^--?([a-z0-9]+-)*(password|passwd|secret|token|api-?key|private-?key|credentials?)(-[a-z0-9]+)*(=.+)?$/i;

function plainCredentials(r: RenderedEnvironment): string[] {
  const problems = stringsOf([...r.objects, ...r.delivery])
    .filter((s) => USERINFO.test(s))
    .map((s) => `a URL with a password: ${s}`);
  for (const { pod, container } of podTemplates(r.objects).flatMap(containersOf)) {
    const argv: string[] = [...(container.command ?? []), ...(container.args ?? [])];
    argv.forEach((arg, i) => {
      if (!SECRET_FLAG.test(arg)) return;
      const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[i + 1];
      if (value !== undefined && !value.startsWith('-'))
        problems.push(`${pod.ref} container "${container.name}": ${arg} with its value`);
    });
  }
  return problems;
}

/** namespaces the cluster or its GitOps engines own */
function clusterNamespaces(r: RenderedEnvironment): string[] {
  const engines = new Set(r.delivery.map((o) => o.metadata.namespace));
  const names = r.objects.map((o) => (o.kind === 'Namespace' ? o.metadata.name : o.metadata.namespace));
  return [...new Set(names)]
    .filter((n): n is string => n !== undefined)
    .filter((n) => n === 'default' || n.startsWith('kube-') || engines.has(n))
    .map((n) => `objects in namespace ${n}`);
}

const INT32_MAX = 2 ** 31 - 1;

function outOfRangeIds(r: RenderedEnvironment): string[] {
  const problems: string[] = [];
  for (const pod of podTemplates(r.objects)) {
    const contexts = [pod.spec.securityContext, ...containersOf(pod).map((c) => c.container.securityContext)];
    for (const context of contexts)
      for (const field of ['runAsUser', 'runAsGroup', 'fsGroup'])
        if (typeof context?.[field] === 'number' && context[field] > INT32_MAX)
          problems.push(`${pod.ref}: ${field} ${context[field]}`);
  }
  return problems;
}

function systemPriority(r: RenderedEnvironment): string[] {
  return podTemplates(r.objects)
    .filter((pod) => String(pod.spec.priorityClassName ?? '').startsWith('system-'))
    .map((pod) => `${pod.ref}: priorityClassName ${pod.spec.priorityClassName}`);
}

/** a lone surrogate: UTF-8 cannot carry it, so no engine reads it back */
const LONE_SURROGATE = /[\ud800-\udfff]/u;

function unreadable(r: RenderedEnvironment): string[] {
  const files = [...r.files].filter(([name, text]) => name.endsWith('.yaml') && !PRINTABLE_TEXT.test(text));
  const strings = stringsOf([...r.objects, ...r.delivery]).filter((s) => LONE_SURROGATE.test(s));
  return [
    ...files.map(([name]) => `${name}: characters outside YAML's printable set`),
    ...strings.map((s) => `a lone surrogate in ${JSON.stringify(s)}`),
  ];
}

const MIB = 2 ** 20;

function tinyMemory(r: RenderedEnvironment): string[] {
  return podTemplates(r.objects)
    .flatMap(containersOf)
    .filter(({ container }) => quantityValue(container.resources?.limits?.memory ?? '0') < MIB)
    .map(
      ({ pod, container }) =>
        `${pod.ref} container "${container.name}": memory limit ${container.resources.limits.memory}`,
    );
}

// ---- the attacker classes ----

export const set = (path: readonly (string | number)[], value: unknown): Edit => ({ op: 'set', path, value });
const word = fc.stringMatching(/^[a-z][a-z0-9]{0,9}$/);
const has = (base: Base, key: string) => (base.data as any)[key] !== undefined;

/** an Ingress to annotate: the base's, or one added with what it needs */
function withIngress(base: Base): Edit[] {
  if (has(base, 'ingress')) return [];
  return [
    set(['ingress'], { host: 'fuzz.reviewpoint.example.com', className: 'nginx' }),
    ...(has(base, 'allowIngressFrom') ? [] : [set(['allowIngressFrom'], { namespace: 'ingress-nginx' })]),
  ];
}

export interface Attack {
  readonly name: string;
  readonly edits: (base: Base) => fc.Arbitrary<Edit[]>;
  /** what is weaker in a production success; empty when nothing is */
  readonly weaker: (r: RenderedEnvironment) => string[];
}

const ipv4 = (prefix: fc.Arbitrary<number>) =>
  fc
    .tuple(fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 4, maxLength: 4 }), prefix)
    .map(([o, p]) => `${o.join('.')}/${p}`);
const ipv6 = (prefix: fc.Arbitrary<number>) =>
  fc
    .tuple(fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 0, maxLength: 3 }), prefix)
    .map(([h, p]) => `${h.map((x) => x.toString(16)).join(':')}::/${p}`);

/** a character outside YAML's printable set, or one YAML 1.1 reads as something else */
const controlCharacter = fc
  .oneof(
    fc.constantFrom(0x7f, 0x85, 0xfffe, 0xffff),
    fc.integer({ min: 0x80, max: 0x9f }),
    fc.integer({ min: 0xd800, max: 0xdfff }),
    fc.integer({ min: 0x01, max: 0x1f }).filter((c) => c !== 0x09 && c !== 0x0a && c !== 0x0d),
  )
  .map((c) => String.fromCharCode(c));

export const ATTACKS: readonly Attack[] = [
  {
    name: 'case-changed setting names',
    // issue 16 item 1: names compared case-insensitively (managed names, production rules)
    edits: () =>
      fc
        .constantFrom(
          ['REVIEWPOINT_AUTH_ENABLED', 'false'],
          ['REVIEWPOINT_ENVIRONMENT', 'test'],
          ['ENVIRONMENT', 'test'],
          ['REVIEWPOINT_TEST_MODE', 'true'],
          ['REVIEWPOINT_DEBUG', 'true'],
        )
        .chain(([name, value]) => otherCase(name).map((n) => [set(['settings', 'extraEnv', n], value)])),
    weaker: weakSettings,
  },
  {
    name: "pydantic's boolean spellings",
    // issue 16 item 1: booleans as pydantic parses them ("t", "y" are true there)
    edits: () =>
      fc
        .tuple(
          fc.constantFrom('REVIEWPOINT_TEST_MODE', 'REVIEWPOINT_DEBUG'),
          fc.constantFrom(...PYDANTIC_TRUE).chain(anyCase),
        )
        .map(([name, value]) => [set(['settings', 'extraEnv', name], value)]),
    weaker: weakSettings,
  },
  {
    name: 'test switches and loader variables',
    // issue 16 item 1: the backend's test and debug switches and the interpreter's loader variables refused in production
    edits: () =>
      fc
        .constantFrom(...Object.keys(SWITCHES))
        .chain((name) =>
          fc.constantFrom(...SWITCHES[name]).map((value) => [set(['settings', 'extraEnv', name], value)]),
        ),
    weaker: testSwitches,
  },
  {
    name: 'broader CIDRs, IPv6 included',
    // issue 16 item 3: CIDRs parsed (IPv4 and IPv6), prefix 0 refused, no production ingress peer broader than a private range
    edits: (base) => {
      const ingressPeers: (readonly string[])[] = [['allowIngressFrom']];
      if (has(base, 'route')) ingressPeers.push(['route', 'allowFrom']);
      if (has(base, 'serviceMonitor')) ingressPeers.push(['serviceMonitor', 'allowFrom']);
      const broad = fc.oneof(ipv4(fc.integer({ min: 0, max: 7 })), ipv6(fc.integer({ min: 0, max: 6 })));
      const everything = fc.oneof(ipv4(fc.constant(0)), ipv6(fc.constant(0)));
      return fc.oneof(
        fc.tuple(fc.constantFrom(...ingressPeers), broad).map(([at, cidr]) => [set(at, { cidr })]),
        everything.map((cidr) => [set(['database', 'egress'], { cidr })]),
      );
    },
    weaker: broadPeers,
  },
  {
    name: 'snippet, alias and engine annotations',
    // issue 16 item 4: the annotation policy, and the API server's 256 KiB limit
    edits: (base) =>
      fc.oneof(
        fc
          .tuple(
            fc.constantFrom(...CONTROL_ANNOTATIONS),
            fc.constantFrom(
              'more_set_headers "X-Fuzz: 1";',
              'other.example.com',
              'Skip',
              'Prune=false',
              'disabled',
              'pre-install',
            ),
          )
          .map(([key, value]) => [...withIngress(base), set(['ingress', 'annotations', key], value)]),
        fc
          .integer({ min: ANNOTATIONS_LIMIT, max: ANNOTATIONS_LIMIT + 4096 })
          .map((n) => [...withIngress(base), set(['ingress', 'annotations', 'example.com/note'], 'x'.repeat(n))]),
      ),
    weaker: badAnnotations,
  },
  {
    name: 'credentials in values',
    // issue 16 item 2: credentials in URL userinfo, and secret-looking flags followed by their value
    edits: (base) => {
      const url = fc
        .tuple(
          fc.constantFrom('https', 'http', 'postgresql', 'redis'),
          word,
          word,
          fc.constantFrom('auth.example.com', 'db.internal:5432'),
        )
        .map(([scheme, user, password, host]) => `${scheme}://${user}:${password}@${host}/x`);
      const flag = fc.constantFrom(
        '--ssl-keyfile-password',
        '--password',
        '--db-password',
        '--api-key',
        '--client-secret',
      );
      const args = ((base.data as any).app?.args ?? []) as string[];
      return fc.oneof(
        url.map((u) => [set(['settings', 'extraEnv', 'CALLBACK_URL'], u)]),
        url.map((u) => [set(['app', 'args'], [...args, '--root-path', u])]),
        url.map((u) => [
          ...withIngress(base),
          set(['ingress', 'annotations', 'nginx.ingress.kubernetes.io/auth-url'], u),
        ]),
        fc
          .tuple(word, word)
          .map(([user, token]) => [
            set(['delivery', 'repoURL'], `https://${user}:${token}@github.com/reviewpoint/reviewpoint-k8s.git`),
          ]),
        fc
          .tuple(flag, word, fc.boolean())
          .map(([f, secret, inline]) => [
            set(['app', 'args'], [...args, ...(inline ? [`${f}=${secret}`] : [f, secret])]),
          ]),
      );
    },
    weaker: plainCredentials,
  },
  {
    name: 'kube-* and engine namespaces',
    // issue 16 item 5: kube-*, default and the GitOps engines' namespaces refused
    edits: () =>
      fc
        .oneof(
          fc.constantFrom('kube-system', 'kube-public', 'kube-node-lease', 'default', 'argocd', 'flux-system'),
          word.map((w) => `kube-${w}`),
        )
        .map((ns) => [set(['namespace'], ns)]),
    weaker: clusterNamespaces,
  },
  {
    name: 'out-of-range UIDs and GIDs',
    // issue 16 item 5: the API server's int32 range for user and group IDs, as a config error
    edits: () =>
      fc
        .tuple(
          fc.constantFrom(
            ['app', 'runAsUser'],
            ['app', 'runAsGroup'],
            ['migration', 'runAsUser'],
            ['migration', 'runAsGroup'],
          ),
          fc.oneof(
            fc.constantFrom(2 ** 31, 2 ** 32, Number.MAX_SAFE_INTEGER),
            fc.maxSafeNat().map((n) => 2 ** 31 + (n % 2 ** 40)),
          ),
        )
        .map(([at, id]) => [set(at, id)]),
    weaker: outOfRangeIds,
  },
  {
    name: 'system priority classes',
    // issue 16 item 5: the system-* priority classes refused
    edits: () =>
      fc
        .oneof(
          fc.constantFrom('system-node-critical', 'system-cluster-critical'),
          word.map((w) => `system-${w}`),
        )
        .map((name) => [set(['app', 'priorityClassName'], name)]),
    weaker: systemPriority,
  },
  {
    name: 'control characters',
    // issue 16 item 6: the emitter escapes everything outside YAML's printable set (or config refuses it)
    edits: (base) => {
      const text = fc.tuple(word, controlCharacter, word).map(([a, c, b]) => a + c + b);
      const args = ((base.data as any).app?.args ?? []) as string[];
      const places: fc.Arbitrary<Edit[]>[] = [
        text.map((t) => [set(['settings', 'extraEnv', 'FUZZ_NOTE'], t)]),
        text.map((t) => [set(['app', 'args'], [...args, t])]),
        text.map((t) => [set(['delivery', 'revision'], t)]),
        text.map((t) => [...withIngress(base), set(['ingress', 'annotations', 'example.com/note'], t)]),
      ];
      if ((base.data as any).secrets?.externalSecret)
        places.push(text.map((t) => [set(['secrets', 'externalSecret', 'remoteKey'], t)]));
      return fc.oneof(...places);
    },
    weaker: unreadable,
  },
  {
    name: 'deep nesting',
    // issue 16 item 7: deep nesting gives the usual error naming the file and field
    edits: () =>
      fc.constantFrom(['fuzz'], ['settings', 'extraEnv', 'FUZZ_DEEP'], ['app', 'args']).map((at) => [set(at, DEEP)]),
    weaker: () => ['a value nested thousands deep was synthesized'],
  },
  {
    name: 'prototype keys',
    // issue 16 item 7: keys such as constructor give the usual error naming the file and field
    edits: (base) => {
      // where a value passes through (maps of names) more often than where the schema names the keys
      const records: (readonly string[])[] = [
        ['settings', 'extraEnv'],
        ['dns', 'podLabels'],
      ];
      if (has(base, 'ingress')) records.push(['ingress', 'annotations']);
      if (has(base, 'serviceMonitor')) records.push(['serviceMonitor', 'labels']);
      if ((base.data as any).secrets?.externalSecret) records.push(['secrets', 'externalSecret', 'properties']);
      if ((base.data as any).database?.egress?.podLabels) records.push(['database', 'egress', 'podLabels']);
      return fc
        .tuple(
          fc.oneof(
            { weight: 3, arbitrary: fc.constantFrom(...records) },
            fc.constantFrom([], ['app'], ['settings'], ['secrets']),
          ),
          fc.oneof(
            { weight: 3, arbitrary: fc.constantFrom('__proto__', 'constructor') },
            fc.constantFrom('prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__'),
          ),
          fc.oneof({ weight: 3, arbitrary: word }, fc.constant({ polluted: 'yes' }), fc.integer()),
        )
        .map(([parent, key, value]) => [set([...parent, key], value)]);
    },
    weaker: () => [],
  },
  {
    name: 'unitless memory quantities',
    // issue 16 item 7: a quantity no pod can run with (memoryLimit: "512" is 512 bytes) refused
    edits: () =>
      fc
        .tuple(
          fc.constantFrom('app', 'migration'),
          fc.integer({ min: 1, max: MIB - 1 }),
          fc.integer({ min: 1, max: MIB - 1 }),
        )
        .map(([at, a, b]) => [
          set([at, 'resources', 'memoryRequest'], String(Math.min(a, b))),
          set([at, 'resources', 'memoryLimit'], String(Math.max(a, b))),
        ]),
    weaker: tinyMemory,
  },
];
