import { API_SERVER_CHECKS, labelValue, validateApiServer } from '../lib/api-server';
import { quantityValue } from '../lib/quantity';
import { versionLabel } from '../lib/app/labels';
import type { Manifest } from '../lib/policy';
import { synthesizeObjects } from '../lib/render';
import { verifyManifests } from '../lib/verify';
import { committedConfig, configFrom, ENVIRONMENTS, minimalConfig } from './helpers';

const objects = () => structuredClone(synthesizeObjects(configFrom(minimalConfig()))) as any[];
const find = (list: any[], kind: string) => list.find((o) => o.kind === kind);
const api = (list: any[]) => find(list, 'Deployment').spec.template.spec.containers[0];

describe.each(ENVIRONMENTS)('the %s output', (env) => {
  test('passes every API server check', () => {
    expect(synthesizeObjects(committedConfig(env)).flatMap((o) => validateApiServer(o as Manifest))).toEqual([]);
  });
});

describe('quantities', () => {
  test.each([
    ['100m', 0.1],
    ['1.5Gi', 1.5 * 2 ** 30],
    ['512Mi', 512 * 2 ** 20],
    ['2', 2],
    ['1e3', 1000],
    ['250k', 250000],
    ['-1', -1],
    [3, 3],
  ] as const)('%s is %d', (q, v) => {
    expect(quantityValue(q)).toBeCloseTo(v);
  });
});

/** the object of a kind, renamed */
const renamed = (kind: string, name: string) => (l: any[]) => {
  const o = find(l, kind);
  o.metadata.name = name;
  return o;
};

/** the Deployment, its api container changed by `change` */
const inApi = (change: (c: any) => void) => (l: any[]) => {
  change(api(l));
  return find(l, 'Deployment');
};

type Case = { check: string; what: string; breakIt: (list: any[]) => any; message: RegExp };
const cases: Case[] = [
  {
    check: 'api-name',
    what: 'a Service name starts with a digit (DNS-1035)',
    breakIt: renamed('Service', '1backend'),
    message: /metadata\.name: got "1backend"; allowed: a DNS-1035 label/,
  },
  {
    check: 'api-name',
    what: 'a Namespace name has a dot (DNS-1123 label)',
    breakIt: renamed('Namespace', 'rp.test'),
    message: /allowed: a DNS-1123 label/,
  },
  {
    check: 'api-name',
    what: 'a Job name is longer than a label value may be',
    breakIt: renamed('Job', `m-${'a'.repeat(62)}`),
    message: /allowed: a label value: at most 63/,
  },
  {
    check: 'api-name',
    what: 'a ConfigMap name has upper case (DNS-1123 subdomain)',
    breakIt: renamed('ConfigMap', 'Backend'),
    message: /allowed: a DNS-1123 subdomain/,
  },
  {
    check: 'api-labels',
    what: 'a label value is 64 characters long',
    breakIt: (l) => {
      const d = find(l, 'Deployment');
      d.metadata.labels['app.kubernetes.io/version'] = 'v'.repeat(64);
      return d;
    },
    message: /metadata\.labels\.app\.kubernetes\.io\/version: got "v{64}"; allowed: a label value/,
  },
  {
    check: 'api-labels',
    what: 'a template label value ends with a dot',
    breakIt: (l) => {
      const d = find(l, 'Deployment');
      d.spec.template.metadata.labels.release = '1.0.';
      return d;
    },
    message: /spec\.template\.metadata\.labels\.release: got "1\.0\."/,
  },
  {
    check: 'api-labels',
    what: 'a label key has two slashes in its prefix',
    breakIt: (l) => {
      const d = find(l, 'Deployment');
      d.metadata.labels['Example.com/x'] = 'y';
      return d;
    },
    message: /metadata\.labels key: got "Example\.com\/x"; allowed: a key whose prefix/,
  },
  {
    check: 'api-container',
    what: 'a container name has upper case',
    breakIt: inApi((c) => {
      c.name = 'API';
    }),
    message: /container "API" name: got "API"; allowed: a DNS-1123 label/,
  },
  {
    check: 'api-container',
    what: 'two containers share a name',
    breakIt: (l) => {
      const d = find(l, 'Deployment');
      d.spec.template.spec.initContainers = [{ ...api(l) }];
      return d;
    },
    message: /name: got "api"; allowed: a name no other container/,
  },
  {
    check: 'api-ports',
    what: 'a container port name is longer than 15 characters',
    breakIt: inApi((c) => {
      c.ports[0].name = 'http-application';
    }),
    message: /ports\[0\]\.name: got "http-application"; allowed: a port name: at most 15/,
  },
  {
    check: 'api-ports',
    what: 'a probe names a port the container does not have',
    breakIt: inApi((c) => {
      c.livenessProbe.tcpSocket.port = 'web';
    }),
    message: /livenessProbe port: got "web"; allowed: the name of a port of the container \(http\)/,
  },
  {
    check: 'api-ports',
    what: 'a Service port name has upper case',
    breakIt: (l) => {
      const s = find(l, 'Service');
      s.spec.ports[0].name = 'HTTP';
      return s;
    },
    message: /spec\.ports\[0\]\.name: got "HTTP"/,
  },
  {
    check: 'api-env',
    what: 'an env var name starts with a digit',
    breakIt: inApi((c) => {
      c.env[0].name = '1DB_URL';
    }),
    message: /env\[0\]\.name: got "1DB_URL"; allowed: an environment variable name/,
  },
  {
    check: 'api-env',
    what: 'a secret key has a slash',
    breakIt: inApi((c) => {
      c.env[0].valueFrom.secretKeyRef.key = 'db/url';
    }),
    message: /key: got "db\/url"; allowed: a ConfigMap key/,
  },
  {
    check: 'api-resources',
    what: 'a memory request is above its limit',
    breakIt: inApi((c) => {
      c.resources.requests.memory = '1Gi';
    }),
    message: /resources\.requests\.memory: got "1Gi"; allowed: at most the limit, "512Mi"/,
  },
  {
    check: 'api-resources',
    what: 'a CPU request is above its limit',
    breakIt: inApi((c) => {
      c.resources.limits.cpu = '50m';
    }),
    message: /resources\.requests\.cpu: got "100m"; allowed: at most the limit, "50m"/,
  },
  {
    check: 'api-volumes',
    what: 'a mount names no volume of the pod',
    breakIt: inApi((c) => {
      c.volumeMounts[0].name = 'scratch';
    }),
    message: /volumeMounts\[0\]\.name: got "scratch"; allowed: a volume of the pod \(tmp, uploads\)/,
  },
  {
    check: 'api-volumes',
    what: 'two mounts share a path',
    breakIt: inApi((c) => {
      c.volumeMounts[1].mountPath = '/tmp';
    }),
    message: /mountPath: got "\/tmp"; allowed: a path no other mount/,
  },
  {
    check: 'api-config-keys',
    what: 'a ConfigMap key has a space',
    breakIt: (l) => {
      const c = find(l, 'ConfigMap');
      c.data['LOG LEVEL'] = 'x';
      return c;
    },
    message: /data key: got "LOG LEVEL"; allowed: a ConfigMap key/,
  },
  {
    check: 'api-annotations',
    what: "an object's annotations pass 256 KiB, keys and values together",
    breakIt: (l) => {
      const s = find(l, 'Service');
      // 262,144 bytes of value plus the key's bytes: one byte per ASCII character, as Go's len counts
      s.metadata.annotations = { 'example.com/big': 'x'.repeat(256 * 1024) };
      return s;
    },
    message: /metadata\.annotations size: got 262159; allowed: at most 262144 bytes \(256 KiB\)/,
  },
  {
    check: 'api-annotations',
    what: "a pod template's annotations pass 256 KiB, counted in UTF-8 bytes",
    breakIt: (l) => {
      const d = find(l, 'Deployment');
      // 87,382 three-byte characters: 262,146 bytes, though only 87,382 UTF-16 code units
      d.spec.template.metadata.annotations = { a: '\u20ac'.repeat(87382) };
      return d;
    },
    message: /spec\.template\.metadata\.annotations size: got 262147; allowed: at most 262144 bytes/,
  },
  {
    check: 'api-ids',
    what: 'a pod runAsUser is above int32',
    breakIt: (l) => {
      const d = find(l, 'Deployment');
      d.spec.template.spec.securityContext.runAsUser = 2147483648;
      return d;
    },
    message: /securityContext\.runAsUser: got 2147483648; allowed: an ID from 0 to 2147483647 \(an int32\)/,
  },
  {
    check: 'api-ids',
    what: "a container's runAsGroup is above int32",
    breakIt: inApi((c) => {
      c.securityContext.runAsGroup = 2 ** 31;
    }),
    message: /container "api" securityContext\.runAsGroup: got 2147483648; allowed: an ID from 0/,
  },
  {
    check: 'api-ids',
    what: 'fsGroup is negative',
    breakIt: (l) => {
      const d = find(l, 'Deployment');
      d.spec.template.spec.securityContext.fsGroup = -1;
      return d;
    },
    message: /securityContext\.fsGroup: got -1; allowed: an ID from 0/,
  },
];

describe('the API server check', () => {
  test.each(cases)('fails when $what [$check]', ({ check, breakIt, message }) => {
    const broken = breakIt(objects());
    const found = validateApiServer(broken)
      .filter((v) => v.rule === check)
      .map((v) => `${v.container ? `container "${v.container}" ` : ''}${v.message}`);
    expect(found).toContainEqual(expect.stringMatching(message));
  });

  test('every check has a case above that breaks it', () => {
    expect(new Set(cases.map((c) => c.check))).toEqual(new Set(API_SERVER_CHECKS));
  });

  test('runs in the synth gate, after the schema, before the policy', () => {
    const list = objects();
    api(list).resources.requests.memory = '1Gi';
    expect(() => verifyManifests(list, { environment: 'test', production: false })).toThrow(
      /^API server check failed in environment "test" \(1 violation\):\n  Deployment\/reviewpoint-backend container "api": \[api-resources\] resources\.requests\.memory: got "1Gi"/,
    );
  });
});

describe('the version label of an image', () => {
  const image = (tag: string) => ({ repository: 'ghcr.io/acme/backend', tag });

  test('is the tag when the tag is a valid label value', () => {
    expect(versionLabel(image('1.4.2'))).toBe('1.4.2');
  });

  test('keeps a readable head and a hash of a tag longer than 63 characters', () => {
    const tag = `1.5.0-build.${'0123456789'.repeat(8)}`;
    const label = versionLabel(image(tag))!;
    expect(label).toMatch(/^1\.5\.0-build\.0123456789012345678901234567890123456789-[0-9a-f]{10}$/);
    expect(labelValue(label)).toBeUndefined();
    // deterministic, and distinct for distinct tags
    expect(versionLabel(image(tag))).toBe(label);
    expect(versionLabel(image(`${tag}1`))).not.toBe(label);
  });

  test('trims what a label may not start or end with', () => {
    expect(versionLabel(image('_release-'))).toMatch(/^release-[0-9a-f]{10}$/);
  });

  test('lets a 128-character tag through the whole synth', () => {
    const data = minimalConfig();
    data.app.image.tag = 'v'.repeat(128);
    expect(() =>
      verifyManifests(synthesizeObjects(configFrom(data)), { environment: 'test', production: false }),
    ).not.toThrow();
  });
});
