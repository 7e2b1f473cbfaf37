import { synthesizeObjects } from '../lib/render';
import { configFrom, configFromText, minimalConfig, productionConfig } from './helpers';

const ROUTE = { gateway: { name: 'public', namespace: 'gateway-system' }, hostnames: ['api.example.com'] };
const EXTERNAL_SECRET = { store: { name: 'vault' }, remoteKey: 'reviewpoint/test' };
const WHERE = /^config error in environment "test" \(config\/test\.yaml\), field /;

/** apply an edit to a valid config and expect the error message to match */
function expectError(base: () => Record<string, any>, edit: (c: Record<string, any>) => void, message: RegExp): void {
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

describe('a valid config', () => {
  test('gets the documented defaults', () => {
    const c = configFrom(minimalConfig());
    expect(c.app.command).toEqual([
      '/app/.venv/bin/python',
      '-m',
      'uvicorn',
      'src.main:app',
      '--host',
      '0.0.0.0',
      '--port',
      '8000',
      '--proxy-headers',
      '--forwarded-allow-ips',
      '*',
      '--timeout-graceful-shutdown',
      '20',
    ]);
    expect(c.app).toMatchObject({ preStopSeconds: 10, terminationGracePeriodSeconds: 35 });
    expect(c.app.resources).toEqual({ cpuRequest: '100m', memoryRequest: '256Mi', memoryLimit: '512Mi' });
    expect(c.app).toMatchObject({
      runAsUser: 65532,
      runAsGroup: 65532,
      rollingUpdate: { maxSurge: 1, maxUnavailable: 0 },
    });
    expect(c.migration).toMatchObject({
      command: ['alembic', 'upgrade', 'head'],
      backoffLimit: 2,
      activeDeadlineSeconds: 600,
      ttlSecondsAfterFinished: 86400,
    });
    expect(c.production).toBe(false);
    expect(c.name).toBe('test');
  });

  test('passes in production with digests, two replicas and a budget', () => {
    expect(configFrom(productionConfig()).production).toBe(true);
  });
});

describe('scheduling defaults', () => {
  test('bound evictions under an autoscaler with maxUnavailable: 1 when no budget is given', () => {
    const data = minimalConfig();
    delete data.app.replicas;
    data.app.autoscaling = { minReplicas: 2, maxReplicas: 4 };
    expect(configFrom(data).app.podDisruptionBudget).toEqual({ maxUnavailable: 1 });
    data.app.podDisruptionBudget = { minAvailable: '50%' };
    expect(configFrom(data).app.podDisruptionBudget).toEqual({ minAvailable: '50%' });
  });

  test('add no budget to fixed replicas, no pull secrets, no priority class; DNS on 53', () => {
    const c = configFrom(minimalConfig());
    expect([c.app.podDisruptionBudget, c.app.priorityClassName, c.imagePullSecrets, c.dns.port]).toEqual([
      undefined,
      undefined,
      [],
      53,
    ]);
  });
});

describe('config errors', () => {
  test('fails when the YAML does not parse, naming the line', () => {
    expect(() => configFromText('namespace: rp\napp:\n  image: [\n')).toThrow(
      /field \(yaml\): YAML syntax error at line 4, column 1/,
    );
  });

  test('fails when the file is not a mapping', () => {
    expect(() => configFromText('- a\n- b\n')).toThrow(/field \(root\): got a list \["a","b"\]; allowed: a mapping/);
  });

  test('fails when a key is unknown, suggesting the closest one', () => {
    expectError(
      minimalConfig,
      (c) => {
        c.app.replica = 2;
      },
      /app\.replica: unknown key "replica" \(did you mean "replicas"\?\); allowed keys here: image, command, args, replicas/,
    );
  });

  test('fails when a top-level key is unknown', () => {
    expectError(
      minimalConfig,
      (c) => {
        c.namespce = 'x';
      },
      /namespce: unknown key "namespce" \(did you mean "namespace"\?\)/,
    );
  });

  test('fails when a required key is misspelt, naming the misspelling rather than the missing key', () => {
    expectError(
      minimalConfig,
      (c) => {
        c.namespce = c.namespace;
        delete c.namespace;
      },
      /field namespce: unknown key "namespce" \(did you mean "namespace"\?\)/,
    );
  });

  test('fails when a value has the wrong type', () => {
    expectError(
      minimalConfig,
      (c) => {
        c.app.replicas = 'two';
      },
      /app\.replicas: got string "two"; allowed: a number/,
    );
  });

  test('fails when a count is not a whole number', () => {
    expectError(
      minimalConfig,
      (c) => {
        c.app.replicas = 1.5;
      },
      /app\.replicas: got number 1\.5; allowed: a whole number/,
    );
  });

  test('fails when a required section is missing', () => {
    expectError(
      minimalConfig,
      (c) => {
        delete c.secrets;
      },
      /secrets: missing; allowed: a mapping/,
    );
  });

  test('fails when a quantity is not a Kubernetes quantity', () => {
    expectError(
      minimalConfig,
      (c) => {
        c.app.resources = { memoryLimit: '512MB' };
      },
      /app\.resources\.memoryLimit: got string "512MB"; allowed: a Kubernetes quantity/,
    );
  });

  test.each([
    ['migration.resources.memoryRequest', '-256Mi', 'a Kubernetes quantity of memory, at least 16Mi'],
    ['migration.resources.memoryRequest', '0', 'a Kubernetes quantity of memory, at least 16Mi'],
    ['app.resources.cpuLimit', '0.0', 'a Kubernetes quantity of CPU, at least 1m'],
    ['app.uploads.sizeLimit', '0.0Gi', 'a Kubernetes quantity above zero'],
  ])('fails when %s is %s: requests, limits and sizes must be above zero', (field, value, allowed) => {
    const [section, block, key] = field.split('.');
    expectError(
      minimalConfig,
      (c) => {
        c[section][block] = { [key]: value };
      },
      new RegExp(`${field.replace(/\./g, '\\.')}: got string "${value.replace('.', '\\.')}"; allowed: ${allowed}`),
    );
  });

  test('fails when a memory limit is a bare number, which is bytes, suggesting the unit', () => {
    expectError(
      minimalConfig,
      (c) => {
        c.app.resources = { memoryLimit: '512' };
      },
      /field app\.resources\.memoryLimit: got string "512"; allowed: a Kubernetes quantity of memory, at least 16Mi, such as 256Mi or 1Gi \(binary suffixes Ki Mi Gi Ti, decimal k M G T; not "MB"\) \("512" is 512 bytes: did you mean "512Mi"\?\)$/,
    );
  });

  test.each([
    ['memoryRequest', '8Mi', 'memory, at least 16Mi'],
    ['memoryLimit', '512Ki', 'memory, at least 16Mi'],
    ['memoryLimit', '16M', 'memory, at least 16Mi'],
    ['cpuRequest', '0.5m', 'CPU, at least 1m'],
    ['cpuLimit', '0.0001', 'CPU, at least 1m'],
    ['cpuRequest', '100u', 'CPU, at least 1m'],
  ])('fails when %s is %s, less than any container runs with', (key, value, allowed) => {
    expectError(
      minimalConfig,
      (c) => {
        c.app.resources = { [key]: value };
      },
      new RegExp(
        `field app\\.resources\\.${key}: got string "${value.replace('.', '\\.')}"; allowed: a Kubernetes quantity of ${allowed}`,
      ),
    );
  });

  test('accepts the least memory and CPU a container may ask for: 16Mi and 1m', () => {
    const data = minimalConfig();
    data.app.resources = { cpuRequest: '1m', memoryRequest: '16Mi', memoryLimit: '16Mi', cpuLimit: '0.001' };
    expect(configFrom(data).app.resources).toEqual({
      cpuRequest: '1m',
      memoryRequest: '16Mi',
      memoryLimit: '16Mi',
      cpuLimit: '0.001',
    });
  });

  test('fails when a name is not DNS-1123', () => {
    expectError(
      minimalConfig,
      (c) => {
        c.namespace = 'RP_Test';
      },
      /namespace: got string "RP_Test"; allowed: a DNS-1123 label/,
    );
  });

  test('fails when an image has neither tag nor digest', () => {
    expectError(
      minimalConfig,
      (c) => {
        delete c.app.image.tag;
      },
      /app\.image: got ghcr\.io\/acme\/backend with neither tag nor digest/,
    );
  });

  test('fails when an image is tagged latest', () => {
    expectError(
      minimalConfig,
      (c) => {
        c.migration.image.tag = 'latest';
      },
      /migration\.image\.tag: got string "latest"; allowed: a pinned tag/,
    );
  });

  test('fails when an image repository carries a tag', () => {
    expectError(
      minimalConfig,
      (c) => {
        c.app.image.repository = 'ghcr.io/acme/backend:1.0';
      },
      /app\.image\.repository: got string "ghcr\.io\/acme\/backend:1\.0"; allowed: an image repository/,
    );
  });

  test('fails when a production image has no digest', () => {
    expectError(
      productionConfig,
      (c) => {
        delete c.app.image.digest;
      },
      /app\.image\.digest: missing in a production environment \(tag "1\.0\.0"\)/,
    );
  });

  test('fails when a production migration image has no digest', () => {
    expectError(
      productionConfig,
      (c) => {
        delete c.migration.image.digest;
      },
      /migration\.image\.digest: missing in a production environment/,
    );
  });

  test('fails when a digest is malformed', () => {
    expectError(
      minimalConfig,
      (c) => {
        c.app.image.digest = 'sha256:abc';
      },
      /app\.image\.digest: got string "sha256:abc"; allowed: a digest of the form sha256:<64 lowercase hex digits>/,
    );
  });

  test('fails when replicas < 1', () => {
    expectError(
      minimalConfig,
      (c) => {
        c.app.replicas = 0;
      },
      /app\.replicas: got number 0; allowed: >= 1/,
    );
  });

  test('fails when replicas and autoscaling are both given', () => {
    expectError(
      minimalConfig,
      (c) => {
        c.app.autoscaling = { minReplicas: 1, maxReplicas: 2 };
      },
      /app\.replicas: got 1 together with app\.autoscaling/,
    );
  });

  test('fails when autoscaling min > max', () => {
    expectError(
      minimalConfig,
      (c) => {
        delete c.app.replicas;
        c.app.autoscaling = { minReplicas: 3, maxReplicas: 2 };
      },
      /app\.autoscaling\.minReplicas: got 3, above maxReplicas 2; allowed: minReplicas <= maxReplicas/,
    );
  });

  test('fails when the PodDisruptionBudget would block every eviction (minAvailable)', () => {
    expectError(
      minimalConfig,
      (c) => {
        c.app.replicas = 2;
        c.app.podDisruptionBudget = { minAvailable: 2 };
      },
      /app\.podDisruptionBudget\.minAvailable: got 2 with 2 replica\(s\) at the minimum: no pod could ever be evicted/,
    );
  });

  test('fails when the PodDisruptionBudget would block every eviction (percentage)', () => {
    expectError(
      minimalConfig,
      (c) => {
        c.app.replicas = 3;
        c.app.podDisruptionBudget = { minAvailable: '90%' };
      },
      /app\.podDisruptionBudget\.minAvailable: got "90%" with 3 replica/,
    );
  });

  test('fails when the PodDisruptionBudget would block every eviction (maxUnavailable 0)', () => {
    expectError(
      minimalConfig,
      (c) => {
        c.app.replicas = 2;
        c.app.podDisruptionBudget = { maxUnavailable: 0 };
      },
      /app\.podDisruptionBudget\.maxUnavailable: got 0/,
    );
  });

  test('fails when the init-container strategy has several replicas and no opt-in', () => {
    expectError(
      minimalConfig,
      (c) => {
        c.migration.strategy = 'initContainer';
        c.app.replicas = 2;
      },
      /migration\.strategy: got "initContainer" with up to 2 replicas: alembic takes no lock.*allowConcurrentInitContainers: true/,
    );
  });

  test('fails when the init-container strategy has an autoscaler that could add replicas', () => {
    expectError(
      minimalConfig,
      (c) => {
        c.migration.strategy = 'initContainer';
        delete c.app.replicas;
        c.app.autoscaling = { minReplicas: 1, maxReplicas: 2 };
      },
      /migration\.strategy: got "initContainer" with up to 2 replicas/,
    );
  });

  test('fails when the database connection budget is overrun', () => {
    expectError(
      minimalConfig,
      (c) => {
        c.app.replicas = 6;
        c.settings.environment = 'prod';
      },
      /database\.maxConnections: got 100, but \(6 max replicas \+ 1 surge \+ 1 terminating\) x 30 connections per pod \(settings\.environment "prod"\) \+ 1 migration Job \+ 3 reserved \(database\.reservedConnections\) = 244; allowed: maxConnections >= 244/,
    );
  });

  test('counts the autoscaler maximum in the connection budget', () => {
    expectError(
      minimalConfig,
      (c) => {
        delete c.app.replicas;
        c.app.autoscaling = { minReplicas: 1, maxReplicas: 6 };
        c.database.maxConnections = 100;
      },
      /\(6 max replicas \+ 1 surge \+ 1 terminating\) x 15 connections per pod \(settings\.environment "dev"\) \+ 1 migration Job \+ 3 reserved \(database\.reservedConnections\) = 124/,
    );
  });

  test('fails when production disables auth', () => {
    expectError(
      productionConfig,
      (c) => {
        c.settings.authEnabled = false;
      },
      /settings\.authEnabled: got false in a production environment: it bypasses authentication entirely/,
    );
  });

  test('fails when production runs as the test environment', () => {
    expectError(
      productionConfig,
      (c) => {
        c.settings.environment = 'test';
      },
      /settings\.environment: got "test" in a production environment/,
    );
  });

  test('fails when production sets ENVIRONMENT=test', () => {
    expectError(
      productionConfig,
      (c) => {
        c.settings.extraEnv = { ENVIRONMENT: 'test' };
      },
      /settings\.extraEnv\.ENVIRONMENT: got "test" in a production environment/,
    );
  });

  test('fails when production enables test mode', () => {
    expectError(
      productionConfig,
      (c) => {
        c.settings.extraEnv = { REVIEWPOINT_TEST_MODE: '1' };
      },
      /settings\.extraEnv\.REVIEWPOINT_TEST_MODE: got "1" in a production environment: it turns on the backend's test mode, which unlocks/,
    );
  });

  test('fails when production enables debug', () => {
    expectError(
      productionConfig,
      (c) => {
        c.settings.extraEnv = { REVIEWPOINT_DEBUG: 'true' };
      },
      /settings\.extraEnv\.REVIEWPOINT_DEBUG: got "true" in a production environment/,
    );
  });

  test('fails when production has a single replica', () => {
    expectError(
      productionConfig,
      (c) => {
        c.app.replicas = 1;
        c.app.podDisruptionBudget = { maxUnavailable: 1 };
      },
      /app\.replicas: got 1 in a production environment; allowed: 2 or more/,
    );
  });

  test('fails when production has no PodDisruptionBudget', () => {
    expectError(
      productionConfig,
      (c) => {
        delete c.app.podDisruptionBudget;
      },
      /app\.podDisruptionBudget: missing in a production environment/,
    );
  });

  test('fails when the grace period does not cover the preStop delay and the drain', () => {
    expectError(
      minimalConfig,
      (c) => {
        c.app.terminationGracePeriodSeconds = 30;
      },
      /app\.terminationGracePeriodSeconds: got 30, not above app\.preStopSeconds 10 \+ 20 \(--timeout-graceful-shutdown in the command\): the pod would be killed mid-request; allowed: more than 30/,
    );
  });

  test('fails when the preStop delay is longer than five minutes', () => {
    expectError(
      minimalConfig,
      (c) => {
        c.app.preStopSeconds = 600;
        c.app.terminationGracePeriodSeconds = 900;
      },
      /app\.preStopSeconds: got number 600; allowed: <= 300/,
    );
  });

  test('reads the drain from a custom command, in either flag form', () => {
    expectError(
      minimalConfig,
      (c) => {
        c.app.command = ['python', '-m', 'uvicorn', '--timeout-graceful-shutdown=40'];
      },
      /app\.terminationGracePeriodSeconds: got 35, not above app\.preStopSeconds 10 \+ 40/,
    );
    expect(
      configFrom({
        ...minimalConfig(),
        app: { ...minimalConfig().app, command: ['uvicorn'], args: ['--timeout-graceful-shutdown', '5'] },
      }).app.terminationGracePeriodSeconds,
    ).toBe(35);
  });

  test('fails when the DNS port is out of range', () => {
    expectError(
      minimalConfig,
      (c) => {
        c.dns = { port: 70000 };
      },
      /dns\.port: got number 70000; allowed: <= 65535/,
    );
  });

  test('fails when an image pull secret is not a Secret name', () => {
    expectError(
      minimalConfig,
      (c) => {
        c.imagePullSecrets = ['Registry_Creds'];
      },
      /imagePullSecrets\.0: got string "Registry_Creds"; allowed: a DNS-1123 subdomain/,
    );
  });

  test('fails when the priority class is not a PriorityClass name', () => {
    expectError(
      minimalConfig,
      (c) => {
        c.app.priorityClassName = 'High Priority';
      },
      /app\.priorityClassName: got string "High Priority"; allowed: a DNS-1123 subdomain/,
    );
  });

  test('fails when nothing may reach the app: no allowIngressFrom and no route', () => {
    expectError(
      minimalConfig,
      (c) => {
        delete c.allowIngressFrom;
      },
      /field allowIngressFrom: missing; allowed: \{ cidr \} or \{ namespace, podLabels \} of the ingress controller, or a route section/,
    );
  });

  test('fails when an Ingress has no allowIngressFrom to admit its controller', () => {
    expectError(
      minimalConfig,
      (c) => {
        delete c.allowIngressFrom;
        c.ingress = { host: 'api.example.com' };
        c.route = ROUTE;
      },
      /field allowIngressFrom: missing next to ingress/,
    );
  });

  test('fails when a route has no host names', () => {
    expectError(
      minimalConfig,
      (c) => {
        c.route = { ...ROUTE, hostnames: [] };
      },
      /route\.hostnames: got a list \[\]; allowed: items >= 1/,
    );
  });

  test('fails when a route host name is not a host name', () => {
    expectError(
      minimalConfig,
      (c) => {
        c.route = { ...ROUTE, hostnames: ['https://api.example.com'] };
      },
      /route\.hostnames\.0: got string "https:\/\/api\.example\.com"; allowed: a host name such as api\.example\.com or \*\.example\.com/,
    );
  });

  test('fails when the route names no Gateway namespace', () => {
    expectError(
      minimalConfig,
      (c) => {
        c.route = { ...ROUTE, gateway: { name: 'public' } };
      },
      /route\.gateway\.namespace: missing; allowed: a string/,
    );
  });

  test("fails when the gateway's pods are given as both a CIDR and pods", () => {
    expectError(
      minimalConfig,
      (c) => {
        c.route = { ...ROUTE, allowFrom: { cidr: '10.0.0.0/8', namespace: 'gw' } };
      },
      /route\.allowFrom: got .*; allowed: either \{ cidr \} or \{ namespace, podLabels \}/,
    );
  });

  test('fails when an ingress annotation key is not a key', () => {
    expectError(
      minimalConfig,
      (c) => {
        c.ingress = { host: 'api.example.com', annotations: { 'proxy body size': '10m' } };
      },
      /ingress\.annotations\.proxy body size: got key string "proxy body size"; allowed: an annotation key/,
    );
  });

  test('fails when the scrape timeout is longer than the scrape interval', () => {
    expectError(
      minimalConfig,
      (c) => {
        c.serviceMonitor = { interval: '15s', scrapeTimeout: '1m' };
      },
      /serviceMonitor\.scrapeTimeout: got "1m", longer than interval "15s"; allowed: at most the interval/,
    );
  });

  test('fails when a scrape interval is not a Prometheus duration', () => {
    expectError(
      minimalConfig,
      (c) => {
        c.serviceMonitor = { interval: '30 seconds' };
      },
      /serviceMonitor\.interval: got string "30 seconds"; allowed: a Prometheus duration/,
    );
  });

  test('fails when the scrapers are given as pods without a namespace', () => {
    expectError(
      minimalConfig,
      (c) => {
        c.serviceMonitor = { allowFrom: { podLabels: { app: 'prometheus' } } };
      },
      /serviceMonitor\.allowFrom\.namespace: missing next to podLabels/,
    );
  });

  test('fails when an ExternalSecret maps a key the pods do not read', () => {
    expectError(
      minimalConfig,
      (c) => {
        c.secrets.externalSecret = { ...EXTERNAL_SECRET, properties: { 'db-password': 'password' } };
      },
      /secrets\.externalSecret\.properties\.db-password: got a property for "db-password", which the pods do not read; allowed: "db-url", "jwt-secret-key", "api-key"/,
    );
  });

  test('fails when the secret store kind is unknown', () => {
    expectError(
      minimalConfig,
      (c) => {
        c.secrets.externalSecret = { ...EXTERNAL_SECRET, store: { name: 'vault', kind: 'Vault' } };
      },
      /secrets\.externalSecret\.store\.kind: got string "Vault"; allowed: one of "SecretStore", "ClusterSecretStore"/,
    );
  });

  test('fails when the refresh interval is not a duration', () => {
    expectError(
      minimalConfig,
      (c) => {
        c.secrets.externalSecret = { ...EXTERNAL_SECRET, refreshInterval: 'hourly' };
      },
      /secrets\.externalSecret\.refreshInterval: got string "hourly"; allowed: a duration/,
    );
  });

  test('fails when an ExternalSecret has no remote key', () => {
    expectError(
      minimalConfig,
      (c) => {
        c.secrets.externalSecret = { store: EXTERNAL_SECRET.store };
      },
      /secrets\.externalSecret\.remoteKey: missing; allowed: a string/,
    );
  });

  test('fails when a secret-looking variable is given a literal value', () => {
    expectError(
      minimalConfig,
      (c) => {
        c.settings.extraEnv = { SMTP_PASSWORD: 'hunter2' };
      },
      /settings\.extraEnv\.SMTP_PASSWORD: got a literal value for a secret-looking name/,
    );
  });

  // every name the app container gets, read from the output rather than from a list kept here
  const objects: any[] = synthesizeObjects(configFrom(minimalConfig()));
  const app = objects.find((o) => o.kind === 'Deployment');
  const configMap = objects.find((o) => o.kind === 'ConfigMap');
  const managed = [...Object.keys(configMap.data), ...app.spec.template.spec.containers[0].env.map((e: any) => e.name)];

  test.each(managed)('fails when extraEnv overrides %s, which the manifests set', (name) => {
    expectError(
      minimalConfig,
      (c) => {
        c.settings.extraEnv = { [name]: 'x' };
      },
      new RegExp(`settings\\.extraEnv\\.${name}: got ${name}, which the manifests set themselves`),
    );
  });

  test('fails when a network peer is both a CIDR and pods', () => {
    expectError(
      minimalConfig,
      (c) => {
        c.database.egress = { cidr: '10.0.0.0/8', namespace: 'db' };
      },
      /database\.egress: got .*; allowed: either \{ cidr \} or \{ namespace, podLabels \}/,
    );
  });

  test('fails when an enum value is unknown', () => {
    expectError(
      minimalConfig,
      (c) => {
        c.migration.strategy = 'sidecar';
      },
      /migration\.strategy: got string "sidecar"; allowed: one of "job", "initContainer", "none"/,
    );
  });

  test('fails when a migration strategy needs an image and has none', () => {
    expectError(
      minimalConfig,
      (c) => {
        delete c.migration.image;
      },
      /migration\.image: missing for strategy "job"/,
    );
  });
});

describe('the delivery section', () => {
  test('defaults to a placeholder repository on main, Argo CD in argocd, Flux from flux-system', () => {
    const c = minimalConfig();
    delete c.delivery;
    expect(configFrom(c).delivery).toEqual({
      repoURL: 'https://git.example.com/gitops.git',
      revision: 'main',
      root: 'dist',
      argocd: { namespace: 'argocd', project: 'default', server: 'https://kubernetes.default.svc' },
      flux: { namespace: 'flux-system', sourceName: 'flux-system', interval: '10m' },
    });
  });

  test('fails when the repository is not a Git URL', () => {
    expectError(
      minimalConfig,
      (c) => {
        c.delivery = { repoURL: 'github.com/acme/gitops' };
      },
      /delivery\.repoURL: got string "github\.com\/acme\/gitops"; allowed: a Git URL/,
    );
  });

  test('fails when the root folder starts with ./', () => {
    expectError(
      minimalConfig,
      (c) => {
        c.delivery = { root: './dist' };
      },
      /delivery\.root: got string "\.\/dist"; allowed: a relative folder/,
    );
  });

  test('fails when the Flux interval is not a duration', () => {
    expectError(
      minimalConfig,
      (c) => {
        c.delivery = { flux: { interval: '10 minutes' } };
      },
      /delivery\.flux\.interval: got string "10 minutes"; allowed: a duration/,
    );
  });
});

describe('config errors, all at once and with hints', () => {
  const messageOf = (data: Record<string, any>): string => {
    try {
      configFrom(data);
    } catch (e) {
      return (e as Error).message;
    }
    throw new Error('the config was accepted');
  };

  test('fails with every problem of a file, one per line', () => {
    const data = minimalConfig();
    data.app.replicas = 'two';
    data.settings.logLevel = 'LOUD';
    data.app.replica = 3;
    const lines = messageOf(data).split('\n');
    expect(lines).toHaveLength(3);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/field app\.replica: unknown key "replica" \(did you mean "replicas"\?\)/),
        expect.stringMatching(/field app\.replicas: got string "two"/),
        expect.stringMatching(/field settings\.logLevel: got string "LOUD"; allowed: one of/),
      ]),
    );
  });

  test('fails with every broken rule, not only the first', () => {
    const data = productionConfig();
    data.settings.authEnabled = false;
    data.settings.logLevel = 'DEBUG';
    expect(messageOf(data).split('\n')).toEqual([
      expect.stringMatching(/field settings\.authEnabled: got false in a production environment/),
      expect.stringMatching(/field settings\.logLevel: got "DEBUG" in a production environment/),
    ]);
  });

  test('fails when a key is at the wrong level, naming where it belongs', () => {
    const data = minimalConfig();
    data.replicas = 2;
    expect(messageOf(data)).toMatch(
      /field replicas: unknown key "replicas" \(did you mean "app\.replicas"\? it belongs there\)/,
    );
  });

  test('fails when a top-level key is nested, saying to move it out rather than "did you mean" itself', () => {
    const data = minimalConfig();
    data.app.image.settings = {};
    expect(messageOf(data)).toMatch(
      /field app\.image\.settings: unknown key "settings" \("settings" is a top-level key: move it out of app\.image\)/,
    );
  });

  test('fails when a memory quantity is written as a number, suggesting it quoted with its unit', () => {
    const data = minimalConfig();
    data.app.resources = { memoryLimit: 512 };
    expect(messageOf(data)).toMatch(
      /field app\.resources\.memoryLimit: got number 512; allowed: a quantity with its unit, quoted, e\.g\. memoryLimit: "512Mi" \(a bare number is bytes\)$/,
    );
  });

  test('fails when a CPU quantity is written as a number, suggesting it quoted', () => {
    const data = minimalConfig();
    data.app.resources = { cpuRequest: 0.5 };
    expect(messageOf(data)).toMatch(
      /field app\.resources\.cpuRequest: got number 0\.5; allowed: a quantity, quoted, e\.g\. cpuRequest: "0\.5" or "500m"$/,
    );
  });

  test('fails when an upload size is written as a number, suggesting it quoted with its unit', () => {
    const data = minimalConfig();
    data.app.uploads = { sizeLimit: 2 };
    expect(messageOf(data)).toMatch(
      /field app\.uploads\.sizeLimit: got number 2; allowed: a quantity with its unit, quoted, e\.g\. sizeLimit: "2Mi"/,
    );
  });

  test('fails when a block is missing, listing what goes in it', () => {
    const data = minimalConfig();
    delete data.secrets;
    expect(messageOf(data)).toMatch(
      /field secrets: missing; allowed: a mapping with the keys name \(required\), dbUrlKey, jwtSecretKey, apiKeyKey/,
    );
  });

  test('fails when a memory request is above its limit', () => {
    const data = minimalConfig();
    data.app.resources = { memoryRequest: '1Gi', memoryLimit: '512Mi' };
    expect(messageOf(data)).toMatch(
      /field app\.resources\.memoryRequest: got "1Gi", above memoryLimit "512Mi"; allowed: at most the limit/,
    );
  });

  test('fails when a CPU request is above its limit', () => {
    const data = minimalConfig();
    data.migration.resources = { cpuRequest: '500m', cpuLimit: '0.25' };
    expect(messageOf(data)).toMatch(/field migration\.resources\.cpuRequest: got "500m", above cpuLimit "0\.25"/);
  });
});
