import { checkRenderedDelivery, declaredPrerequisites } from '../lib/delivery';
import { referencesOf } from '../lib/delivery/references';
import { checkDelivery } from '../lib/delivery/rules';
import { repoPath } from '../lib/app/delivery';
import { ENVIRONMENT_README } from '../lib/environment-readme';
import { renderEnvironment, synthesizeObjects } from '../lib/render';
import { verifyManifests } from '../lib/verify';
import { configFrom, minimalConfig, productionConfig } from './helpers';

/**
 * The app's pod fields: metadata, scheduling, env and envFrom, probes. Each changes the output as
 * documented, and each refusal is shown with exactly its case.
 */
const WHERE = /^config error in environment "test" \(config\/test\.yaml\), field /;

/** a config with an edit, synthesized */
function objectsWith(edit: (c: Record<string, any>) => void, base = minimalConfig) {
  const data = base();
  edit(data);
  const config = configFrom(data);
  const objects: any[] = synthesizeObjects(config);
  const find = (kind: string) => objects.find((o) => o.kind === kind);
  return { config, objects, find, pod: (kind = 'Deployment') => find(kind).spec.template };
}

function expectError(edit: (c: Record<string, any>) => void, message: RegExp, base = minimalConfig): void {
  const data = base();
  edit(data);
  let error: Error | undefined;
  try {
    configFrom(data);
  } catch (e) {
    error = e as Error;
  }
  expect(error?.message).toMatch(WHERE);
  expect(error?.message).toMatch(message);
}

describe('app.podAnnotations, app.podLabels, app.serviceAccount.annotations', () => {
  test('annotate and label the app pods, and annotate the ServiceAccount', () => {
    // GIVEN a mesh switch, a team label and an IRSA role  WHEN synthesized
    const { find, pod } = objectsWith((c) => {
      c.app.podAnnotations = { 'linkerd.io/inject': 'enabled' };
      c.app.podLabels = { team: 'reviews' };
      c.app.serviceAccount = { annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::1:role/rp' } };
    });
    // THEN the pods and the app's ServiceAccount carry them; the Job's pods do not
    expect(pod().metadata.annotations).toMatchObject({ 'linkerd.io/inject': 'enabled' });
    expect(pod().metadata.labels).toMatchObject({ team: 'reviews', 'app.kubernetes.io/component': 'api' });
    expect(pod('Job').metadata.annotations).toBeUndefined();
    expect(find('ServiceAccount').metadata.annotations).toEqual({
      'eks.amazonaws.com/role-arn': 'arn:aws:iam::1:role/rp',
    });
    expect(find('ServiceAccount').automountServiceAccountToken).toBe(false);
  });

  test.each([
    'app.kubernetes.io/name',
    'app.kubernetes.io/instance',
    'app.kubernetes.io/component',
    'app.kubernetes.io/version',
  ])('fails when a pod label is %s, which the synth sets', (key) => {
    expectError(
      (c) => {
        c.app.podLabels = { [key]: 'other' };
      },
      new RegExp(
        `app\\.podLabels\\.${key.replace(/[./]/g, '\\$&')}: got ${key.replace(/[./]/g, '\\$&')}, a label the synth sets on the pods`,
      ),
    );
  });

  test('fails when a pod label value is not a label value', () => {
    expectError((c) => {
      c.app.podLabels = { team: 'reviews and more' };
    }, /app\.podLabels\.team: got string "reviews and more"; allowed: a label value/);
  });

  test('fails when a pod annotation is the settings checksum', () => {
    expectError((c) => {
      c.app.podAnnotations = { 'checksum/config': 'x' };
    }, /app\.podAnnotations\.checksum\/config: got the annotation the synth sets from the settings/);
  });

  test('fails when a pod annotation is a GitOps engine control annotation, by the annotation policy', () => {
    expectError((c) => {
      c.app.podAnnotations = { 'argocd.argoproj.io/sync-options': 'Prune=false' };
    }, /app\.podAnnotations\.argocd\.argoproj\.io\/sync-options: got "argocd\.argoproj\.io\/sync-options": a control annotation of argocd\.argoproj\.io/);
  });

  test('fails when a ServiceAccount annotation carries a credential, by the annotation policy', () => {
    expectError((c) => {
      c.app.serviceAccount = { annotations: { 'example.com/endpoint': 'https://robot:s3cret@vault.example.com' } };
    }, /app\.serviceAccount\.annotations\.example\.com\/endpoint: got "example\.com\/endpoint": its value carries a credential in plain text \(https:\/\/robot:\*\*\*@vault\.example\.com\)/);
  });

  test('fails when a ServiceAccount annotation key is not a key', () => {
    expectError((c) => {
      c.app.serviceAccount = { annotations: { 'eks amazonaws com/role-arn': 'x' } };
    }, /app\.serviceAccount\.annotations\.eks amazonaws com\/role-arn: got key string "eks amazonaws com\/role-arn"; allowed: an annotation key/);
  });
});

describe('app.nodeSelector, app.tolerations, app.affinity and the migration', () => {
  const SPOT = [{ key: 'pool', operator: 'Equal', value: 'spot', effect: 'NoSchedule' }];
  const ARM = {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/arch', operator: 'In', values: ['arm64'] }] }],
      },
    },
  };

  test('schedule the app pods, and the migration Job follows unless it sets its own', () => {
    // GIVEN app scheduling, and a migration that sets only its own nodeSelector  WHEN synthesized
    const { pod } = objectsWith((c) => {
      c.app.nodeSelector = { 'kubernetes.io/arch': 'arm64' };
      c.app.tolerations = SPOT;
      c.app.affinity = ARM;
      c.migration.nodeSelector = { pool: 'batch' };
    });
    // THEN
    expect(pod().spec).toMatchObject({
      nodeSelector: { 'kubernetes.io/arch': 'arm64' },
      tolerations: SPOT,
      affinity: ARM,
    });
    expect(pod('Job').spec).toMatchObject({ nodeSelector: { pool: 'batch' }, tolerations: SPOT, affinity: ARM });
  });

  test('passes the gate on a production config', () => {
    const { objects, config } = objectsWith((c) => {
      c.app.tolerations = SPOT;
      c.app.affinity = ARM;
    }, productionConfig);
    expect(() => verifyManifests(objects, { environment: config.name, production: true })).not.toThrow();
  });

  test.each([
    [[{ operator: 'Exists' }], /app\.tolerations\.0\.key: missing: a toleration without a key tolerates every taint/],
    [
      [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists' }],
      /app\.tolerations\.0\.key: got "node-role\.kubernetes\.io\/control-plane": it lets the pods onto control-plane nodes/,
    ],
    [
      [{ key: 'pool', operator: 'Exists', value: 'spot' }],
      /app\.tolerations\.0\.value: got "spot" with operator Exists; allowed: no value/,
    ],
    [
      [{ key: 'pool', operator: 'In' }],
      /app\.tolerations\.0\.operator: got string "In"; allowed: one of "Exists", "Equal"/,
    ],
    [
      [{ key: 'pool', operator: 'Exists', effect: 'NoRun' }],
      /app\.tolerations\.0\.effect: got string "NoRun"; allowed: one of "NoSchedule", "PreferNoSchedule", "NoExecute"/,
    ],
    [
      [{ key: 'pool', operator: 'Exists', tolerationSeconds: 60 }],
      /app\.tolerations\.0\.tolerationSeconds: got 60 with effect ""; allowed: only with effect NoExecute/,
    ],
    [
      [{ key: 'pool', operator: 'Exists', effects: 'NoSchedule' }],
      /app\.tolerations\.0\.effects: unknown key "effects" \(did you mean "effect"\?\); allowed keys here: key, operator, value, effect, tolerationSeconds/,
    ],
  ])('fails when a toleration is refused: %j', (tolerations, message) => {
    expectError((c) => {
      c.app.tolerations = tolerations;
    }, message);
  });

  test.each([
    [
      {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In' }] }],
          },
        },
      },
      /app\.affinity\.nodeAffinity\.requiredDuringSchedulingIgnoredDuringExecution\.nodeSelectorTerms\.0\.matchExpressions\.0\.values: missing with operator In/,
    ],
    [
      { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } } },
      /nodeSelectorTerms: got \[\]; allowed: at least one term/,
    ],
    [
      {
        nodeAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 101, preference: { matchExpressions: [{ key: 'a', operator: 'Exists' }] } },
          ],
        },
      },
      /app\.affinity\.nodeAffinity\.preferredDuringSchedulingIgnoredDuringExecution\.0\.weight: got number 101; allowed: <= 100/,
    ],
    [
      { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: {} }] } },
      /app\.affinity\.podAntiAffinity\.requiredDuringSchedulingIgnoredDuringExecution\.0\.topologyKey: missing/,
    ],
    [{ nodeAfinity: {} }, /app\.affinity\.nodeAfinity: unknown key "nodeAfinity" \(did you mean "nodeAffinity"\?\)/],
    [
      {
        podAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [
            { topologyKey: 'kubernetes.io/hostname', namespaces: ['DB'] },
          ],
        },
      },
      /app\.affinity\.podAffinity\.requiredDuringSchedulingIgnoredDuringExecution\.0\.namespaces\.0: got string "DB"; allowed: a DNS-1123 label/,
    ],
  ])('fails when an affinity is refused: %j', (affinity, message) => {
    expectError((c) => {
      c.app.affinity = affinity;
    }, message);
  });

  test('fails when a node selector value is not a label value', () => {
    expectError((c) => {
      c.app.nodeSelector = { pool: 'spot pool' };
    }, /app\.nodeSelector\.pool: got string "spot pool"; allowed: a label value/);
  });

  test.each(['initContainer', 'none'])(
    'fails when the migration sets its own scheduling with strategy %s',
    (strategy) => {
      expectError(
        (c) => {
          c.migration.strategy = strategy;
          c.migration.tolerations = SPOT;
        },
        new RegExp(
          `migration\\.tolerations: got .* with strategy "${strategy}": only a migration Job has pods of its own`,
        ),
      );
    },
  );

  test('fails when a migration toleration is refused', () => {
    expectError((c) => {
      c.migration.tolerations = [{ operator: 'Exists' }];
    }, /migration\.tolerations\.0\.key: missing/);
  });
});

describe('app.env and app.envFrom', () => {
  const ENV = [
    { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    { name: 'SMTP_PASSWORD', valueFrom: { secretKeyRef: { name: 'smtp', key: 'password' } } },
    { name: 'OTEL_EXPORTER_OTLP_ENDPOINT', valueFrom: { configMapKeyRef: { name: 'otel', key: 'endpoint' } } },
    { name: 'TZ', value: 'UTC' },
  ];
  const ENV_FROM = [{ secretRef: { name: 'oidc' }, prefix: 'OIDC_' }];
  const withEnv = (c: Record<string, any>) => {
    c.app.env = ENV;
    c.app.envFrom = ENV_FROM;
  };

  test('reach the app and the migration Job, after the variables the synth sets', () => {
    const { pod } = objectsWith(withEnv);
    const api = pod().spec.containers[0];
    const migrate = pod('Job').spec.containers[0];
    expect(api.env.slice(-4)).toEqual(ENV);
    expect(migrate.env.slice(-4)).toEqual(ENV);
    expect(api.envFrom).toEqual([...ENV_FROM, { configMapRef: { name: 'reviewpoint-backend' } }]);
    expect(migrate.envFrom).toEqual(ENV_FROM);
  });

  test('reach the init container too, with strategy initContainer', () => {
    const { pod } = objectsWith((c) => {
      withEnv(c);
      c.migration.strategy = 'initContainer';
    });
    const init = pod().spec.initContainers[0];
    expect(init.env.slice(-4)).toEqual(ENV);
    expect(init.envFrom).toEqual([...ENV_FROM, { configMapRef: { name: 'reviewpoint-backend' } }]);
  });

  test('make their Secrets and ConfigMaps prerequisites that the delivery model finds, and the README lists', () => {
    // GIVEN the env  WHEN rendered
    const { config, find } = objectsWith(withEnv);
    const rendered = renderEnvironment(config);
    // THEN the delivery model reads the references from the pods
    const refs = referencesOf(find('Deployment'), rendered.objects).filter((r) => r.field.includes('env'));
    expect(refs.map((r) => `${r.kind}/${r.name}`)).toEqual(
      expect.arrayContaining(['Secret/smtp', 'ConfigMap/otel', 'Secret/oidc']),
    );
    // the config declares them, so the delivery check passes
    expect(declaredPrerequisites(config)).toEqual(
      expect.arrayContaining([
        { kind: 'Secret', name: 'smtp', namespace: 'rp-test' },
        { kind: 'ConfigMap', name: 'otel', namespace: 'rp-test' },
        { kind: 'Secret', name: 'oidc', namespace: 'rp-test' },
      ]),
    );
    expect(checkRenderedDelivery(config, rendered)).toEqual([]);
    // undeclared, the delivery check would refuse the output: the pods would wait for them
    const undeclared = checkDelivery({
      environment: config.name,
      files: rendered.files,
      root: repoPath(config.delivery, config.name),
      prerequisites: declaredPrerequisites(config).filter((p) => p.name !== 'smtp'),
    });
    expect(undeclared.map((v) => v.rule)).toContain('delivery-missing');
    expect(undeclared.map((v) => v.message).join('\n')).toMatch(/env\[SMTP_PASSWORD\] needs Secret/);
    // and the environment README lists them, with the warning envFrom needs
    const readme = rendered.files.get(ENVIRONMENT_README)!;
    expect(readme).toContain('## Prerequisites of the env');
    expect(readme).toMatch(
      /\| Secret `smtp` \| Job `reviewpoint-backend-migrate-[0-9a-f]{10}`, Deployment `reviewpoint-backend` \| env, by key \|/,
    );
    expect(readme).toContain('| Secret `oidc` |');
    expect(readme).toMatch(/\*\*envFrom\*\*: every key is a variable/);
    expect(readme).toContain("What an envFrom source holds is the team's to keep safe");
  });

  test('without a reference, the README has no prerequisites section', () => {
    const readme = renderEnvironment(configFrom(minimalConfig())).files.get(ENVIRONMENT_README)!;
    expect(readme).not.toContain('Prerequisites of the env');
  });

  test("a key of the config's Secret is written by its ExternalSecret", () => {
    const { find } = objectsWith((c) => {
      c.secrets.externalSecret = { store: { name: 'vault' }, remoteKey: 'rp' };
      c.app.env = [
        { name: 'SMTP_PASSWORD', valueFrom: { secretKeyRef: { name: 'backend-secrets', key: 'smtp-password' } } },
      ];
    });
    expect(find('ExternalSecret').spec.data.map((d: any) => d.secretKey)).toContain('smtp-password');
  });

  test('passes the gate, resources and divisor included', () => {
    const { objects, config } = objectsWith((c) => {
      withEnv(c);
      c.app.env = [
        ...ENV,
        { name: 'MEMORY_MIB', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
      ];
    }, productionConfig);
    expect(() => verifyManifests(objects, { environment: config.name, production: true })).not.toThrow();
  });

  test.each([
    [
      { name: 'SMTP_PASSWORD', value: 'hunter2' },
      /app\.env\.0: got a literal value for a secret-looking name \(SMTP_PASSWORD\)/,
    ],
    [
      { name: 'REVIEWPOINT_DB_URL', value: 'x' },
      /app\.env\.0: got REVIEWPOINT_DB_URL, which the manifests set themselves .*; allowed: the Secret's key, secrets\.dbUrlKey/,
    ],
    [
      { name: 'reviewpoint_auth_enabled', value: 'false' },
      /app\.env\.0: got reviewpoint_auth_enabled, which the manifests set themselves \(the backend reads names in any case\)/,
    ],
    [
      { name: 'API_TOKEN', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'token' } } },
      /app\.env\.0\.valueFrom\.configMapKeyRef: got a ConfigMap for a secret-looking name \(API_TOKEN\)/,
    ],
    [
      { name: 'A', value: 'x', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      /app\.env\.0: got a mapping .*; allowed: exactly one of value, valueFrom/,
    ],
    [{ name: 'A' }, /app\.env\.0: got a mapping .*; allowed: exactly one of value, valueFrom/],
    [
      { name: 'A', valueFrom: {} },
      /app\.env\.0\.valueFrom: got a mapping \{\}; allowed: exactly one of secretKeyRef, configMapKeyRef, fieldRef, resourceFieldRef/,
    ],
    [
      { name: 'A', valueFrom: { fieldRef: { fieldPath: 'metadata.labels' } } },
      /app\.env\.0\.valueFrom\.fieldRef\.fieldPath: got string "metadata\.labels"; allowed: one of metadata\.name/,
    ],
    [{ name: 'A', valueFrom: { fieldRef: { fieldPath: 'status.phase' } } }, /fieldPath: got string "status\.phase"/],
    [
      { name: 'A', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '1Mi' } } },
      /app\.env\.0\.valueFrom\.resourceFieldRef: got a mapping .*; allowed: a divisor of 1m or 1 for CPU/,
    ],
    [
      { name: 'A', valueFrom: { resourceFieldRef: { resource: 'limits.gpu' } } },
      /resourceFieldRef\.resource: got string "limits\.gpu"; allowed: one of "limits\.cpu"/,
    ],
    [
      { name: 'A', valueFrom: { secretKeyRef: { name: 'Smtp', key: 'p' } } },
      /app\.env\.0\.valueFrom\.secretKeyRef\.name: got string "Smtp"; allowed: a DNS-1123 subdomain/,
    ],
    [
      { name: 'A', valueFrom: { configMapKeyRef: { name: 'reviewpoint-backend', key: 'p' } } },
      /app\.env\.0\.valueFrom\.configMapKeyRef\.name: got "reviewpoint-backend", the ConfigMap the synth writes from settings/,
    ],
    [{ name: '1A', value: 'x' }, /app\.env\.0\.name: got string "1A"; allowed: an environment variable name/],
  ])('fails when an env entry is refused: %j', (entry, message) => {
    expectError((c) => {
      c.app.env = [entry];
    }, message);
  });

  test('fails when a literal value carries a credential, by the gate', () => {
    expectError((c) => {
      c.app.env = [{ name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: 'https://otel:s3cret@collector.example.com' }];
    }, /app\.env\.0\.value: got a credential in plain text \(https:\/\/otel:\*\*\*@collector\.example\.com\)/);
  });

  test('fails when an env entry is a loader variable, in any environment', () => {
    expectError((c) => {
      c.app.env = [{ name: 'LD_PRELOAD', value: '/tmp/x.so' }];
    }, /app\.env\.0: got "\/tmp\/x\.so": it makes the process load code from a path/);
  });

  test('fails when a name is set twice, in any case', () => {
    expectError((c) => {
      c.app.env = [
        { name: 'TZ', value: 'UTC' },
        { name: 'tz', value: 'CET' },
      ];
    }, /app\.env\.1\.name: got tz, set already by app\.env\.0 \(TZ\): one setting to the backend/);
  });

  test('fails when settings.extraEnv sets a managed name in another case', () => {
    expectError((c) => {
      c.settings.extraEnv = { reviewpoint_log_level: 'DEBUG' };
    }, /settings\.extraEnv\.reviewpoint_log_level: got reviewpoint_log_level, which the manifests set themselves \(the backend reads names in any case\)/);
  });

  test('fails when a name is set by settings.extraEnv too', () => {
    expectError((c) => {
      c.settings.extraEnv = { TZ: 'UTC' };
      c.app.env = [{ name: 'TZ', value: 'CET' }];
    }, /app\.env\.0\.name: got TZ, set already by settings\.extraEnv\.TZ/);
  });

  test.each([
    [
      { name: 'REVIEWPOINT_TEST_MODE', value: '1' },
      /app\.env\.0: got "1" in a production environment: it turns on the backend's test mode/,
    ],
    [
      { name: 'REVIEWPOINT_DEBUG', valueFrom: { secretKeyRef: { name: 'dbg', key: 'on' } } },
      /app\.env\.0: got a reference for REVIEWPOINT_DEBUG, whose value the synth cannot see, in a production environment: debug mode is on/,
    ],
    [
      { name: 'environment', value: 'test' },
      /app\.env\.0: got "test" in a production environment: it turns on the backend's test mode/,
    ],
  ])('fails when production gets a dangerous setting through app.env: %j', (entry, message) => {
    expectError(
      (c) => {
        c.app.env = [entry];
      },
      message,
      productionConfig,
    );
  });

  test.each([
    [{ prefix: 'A_' }, /app\.envFrom\.0: got a mapping .*; allowed: exactly one of secretRef, configMapRef/],
    [
      { secretRef: { name: 'a' }, configMapRef: { name: 'b' } },
      /app\.envFrom\.0: got a mapping .*; allowed: exactly one of secretRef, configMapRef/,
    ],
    [
      { configMapRef: { name: 'reviewpoint-backend' } },
      /app\.envFrom\.0\.configMapRef\.name: got "reviewpoint-backend", the ConfigMap the synth writes/,
    ],
    [
      { prefix: 'A-', secretRef: { name: 'a' } },
      /app\.envFrom\.0\.prefix: got string "A-"; allowed: an environment variable name prefix/,
    ],
  ])('fails when an envFrom entry is refused: %j', (entry, message) => {
    expectError((c) => {
      c.app.envFrom = [entry];
    }, message);
  });
});

describe('app.probes', () => {
  test('by default, probe /api/v1/metrics on the http port with the default timings', () => {
    const c = objectsWith(() => {}).pod().spec.containers[0];
    expect(c.readinessProbe).toEqual({
      httpGet: { path: '/api/v1/metrics', port: 'http', scheme: 'HTTP' },
      periodSeconds: 10,
      timeoutSeconds: 3,
      failureThreshold: 3,
      successThreshold: 1,
    });
  });

  test('take a path and port for all probes, and a path and timings per probe', () => {
    const c = objectsWith((d) => {
      d.app.probes = {
        path: '/api/v1/metrics',
        port: 8000,
        readiness: { path: '/api/v1/ready', periodSeconds: 5 },
        startup: { failureThreshold: 60 },
      };
    }).pod().spec.containers[0];
    expect(c.readinessProbe).toEqual({
      httpGet: { path: '/api/v1/ready', port: 8000, scheme: 'HTTP' },
      periodSeconds: 5,
      timeoutSeconds: 3,
      failureThreshold: 3,
      successThreshold: 1,
    });
    // liveness connects to the port: a path of its own would make it a GET
    expect(c.livenessProbe.tcpSocket).toEqual({ port: 8000 });
    expect(c.livenessProbe.httpGet).toBeUndefined();
    expect(c.startupProbe).toMatchObject({ periodSeconds: 5, failureThreshold: 60 });
  });

  test('pass the gate with the port by number, in production', () => {
    const { objects, config } = objectsWith((d) => {
      d.app.probes = { port: 8000, readiness: { path: '/api/v1/ready' } };
    }, productionConfig);
    expect(() => verifyManifests(objects, { environment: config.name, production: true })).not.toThrow();
  });

  test.each([
    [{ port: 9090 }, /app\.probes\.port: got 9090; allowed: a port the container declares \("http" or 8000\)/],
    [{ port: 'metrics' }, /app\.probes\.port: got "metrics"; allowed: a port the container declares/],
    [
      { port: true },
      /app\.probes\.port: got boolean true; allowed: a port number or the name of a port of the container/,
    ],
    [{ path: 'metrics' }, /app\.probes\.path: got string "metrics"; allowed: an HTTP path starting with "\/"/],
    [{ readiness: { periodSeconds: 0 } }, /app\.probes\.readiness\.periodSeconds: got number 0; allowed: >= 1/],
    [{ liveness: { successThreshold: 2 } }, /app\.probes\.liveness\.successThreshold: unknown key "successThreshold"/],
    [
      { liveness: { path: '/api/v1/metrics', periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 } },
      /app\.probes\.liveness: got the same path, port and timings as readiness/,
    ],
  ])('fails when the probes are refused: %j', (probes, message) => {
    expectError((c) => {
      c.app.probes = probes;
    }, message);
  });
});
