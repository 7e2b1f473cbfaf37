import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PRODUCTION_CHANGES, runDiff } from '../io/diff';
import { setImage } from '../io/set-image';
import { main, type Output } from '../main';
import { renderEnvironment } from '../lib/render';
import { diffTrees, diffValues, type ObjectChange } from '../lib/review/diff';
import { review } from '../lib/review/report';
import { environmentRisks, risksOf, type RiskKind } from '../lib/review/risks';
import {
  FIXTURE_CONFIG_DIR,
  configFrom,
  DIGEST_A,
  DIGEST_B,
  minimalConfig,
  PROD_IMAGE_BUMP,
  productionConfig,
} from './helpers';

const filesOf = (data: Record<string, any>) => renderEnvironment(configFrom(data, 'prod')).files;
const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x));

describe('diffValues', () => {
  test('compares lists of named items by name, and quotes label keys', () => {
    const a = {
      metadata: { labels: { 'app.kubernetes.io/version': '1' } },
      containers: [
        { name: 'api', image: 'a:1' },
        { name: 'side', image: 's:1' },
      ],
    };
    const b = {
      metadata: { labels: { 'app.kubernetes.io/version': '2' } },
      containers: [
        { name: 'side', image: 's:1' },
        { name: 'api', image: 'a:2' },
      ],
    };
    expect(diffValues(a, b, '')).toEqual([
      { path: 'containers[api].image', before: 'a:1', after: 'a:2' },
      { path: 'metadata.labels["app.kubernetes.io/version"]', before: '1', after: '2' },
    ]);
  });

  test('reads a list item that comes or goes as that item, not the whole list', () => {
    const rule = (port: number) => ({ ports: [{ port }] });
    expect(diffValues({ egress: [rule(53), rule(5432)] }, { egress: [rule(5432)] }, '')).toEqual([
      { path: 'egress[0]', before: rule(53) },
    ]);
    expect(diffValues({ egress: [rule(53)] }, { egress: [rule(53), rule(443)] }, '')).toEqual([
      { path: 'egress[1]', after: rule(443) },
    ]);
  });
});

describe('diffTrees', () => {
  test('matches objects by kind, namespace and name: a renamed Job is one removed and one added', () => {
    // GIVEN prod before and after an image bump
    const before = productionConfig();
    const after = clone(before);
    after.app.image = { ...after.app.image, tag: '1.0.1', digest: DIGEST_B };
    after.migration.image = { ...after.migration.image, tag: '1.0.1', digest: DIGEST_A };
    // WHEN the trees are compared
    const [env] = diffTrees(new Map([['prod', filesOf(before)]]), new Map([['prod', filesOf(after)]]));
    // THEN the Deployment changed, one Job went and one came, and nothing else (the README is no object)
    // (the two Jobs come in the order of their content-hashed names)
    expect(env.objects.map((o) => `${o.change} ${o.kind}`).sort()).toEqual([
      'added Job',
      'changed Deployment',
      'removed Job',
    ]);
    expect(env.objects[0].kind).toBe('Deployment');
    const deployment = env.objects[0];
    expect(deployment.fields).toContainEqual({
      path: 'spec.template.spec.containers[api].image',
      before: `ghcr.io/acme/backend:1.0.0@${DIGEST_A}`,
      after: `ghcr.io/acme/backend:1.0.1@${DIGEST_B}`,
    });
  });

  test('reports nothing for identical trees', () => {
    const files = filesOf(productionConfig());
    expect(diffTrees(new Map([['prod', files]]), new Map([['prod', new Map(files)]]))).toEqual([]);
  });
});

describe('risksOf', () => {
  /** the changes between prod rendered from a config, and from the config changed */
  const changesOf = (
    change: (c: Record<string, any>) => void,
    edit?: (objects: any[]) => void,
  ): readonly ObjectChange[] => {
    const before = productionConfig();
    const after = clone(before);
    change(after);
    const head = renderEnvironment(configFrom(after, 'prod'));
    const objects = clone(head.objects) as any[];
    edit?.(objects);
    const files = edit ? renderEnvironment(configFrom(after, 'prod'), objects).files : head.files;
    return diffTrees(new Map([['prod', filesOf(before)]]), new Map([['prod', files]]))[0]?.objects ?? [];
  };
  const kinds = (changes: readonly ObjectChange[]) => [...new Set(risksOf(changes).map((r) => r.kind))].sort();
  const messages = (changes: readonly ObjectChange[], kind: RiskKind) =>
    risksOf(changes)
      .filter((r) => r.kind === kind)
      .map((r) => `${r.object}: ${r.message}`);
  const deployment = (objects: any[]) => objects.find((o) => o.kind === 'Deployment');

  test('flags nothing when only a setting that is no risk changes', () => {
    expect(
      kinds(
        changesOf((c) => {
          c.app.terminationGracePeriodSeconds = 60;
        }),
      ),
    ).toEqual([]);
  });

  test('flags a migration when a setting changes: the Job carries the settings, so it gets a new name', () => {
    expect(
      kinds(
        changesOf((c) => {
          c.settings.allowedOrigins = ['https://other.example.com'];
        }),
      ),
    ).toEqual(['migration']);
  });

  test('flags public exposure when a route comes or an Ingress host changes', () => {
    const route = changesOf((c) => {
      c.route = { gateway: { name: 'public', namespace: 'gateway-system' }, hostnames: ['api.example.com'] };
      // a production route states the largest body its gateway lets through
      c.app.maxBodySize = '10m';
    });
    expect(messages(route, 'exposure')).toEqual(['HTTPRoute/reviewpoint-backend: added: api.example.com']);
    expect(messages(route, 'network')).toContainEqual(
      expect.stringMatching(/^NetworkPolicy\/reviewpoint-backend-from-gateway: new policy allowing/),
    );
    const before = productionConfig();
    // a production Ingress needs TLS, whose hosts follow the rule's
    before.ingress = { host: 'api.example.com', tlsSecretName: 'api-tls' };
    const after = clone(before);
    after.ingress.host = 'api2.example.com';
    const [env] = diffTrees(
      new Map([['prod', renderEnvironment(configFrom(before, 'prod')).files]]),
      new Map([['prod', renderEnvironment(configFrom(after, 'prod')).files]]),
    );
    expect(messages([...env.objects], 'exposure')).toEqual([
      'Ingress/reviewpoint-backend: spec.rules[0].host: api.example.com -> api2.example.com; spec.tls[0].hosts[0]: api.example.com -> api2.example.com',
    ]);
  });

  test('flags exposure when only the Ingress annotations change: the controller obeys them (its class among them)', () => {
    // GIVEN a production Ingress  WHEN only its annotations change (a body size, the deprecated class)
    const before = productionConfig();
    before.ingress = { host: 'api.example.com', tlsSecretName: 'api-tls' };
    const after = clone(before);
    after.ingress.annotations = { 'kubernetes.io/ingress.class': 'public-nginx' };
    const [env] = diffTrees(
      new Map([['prod', renderEnvironment(configFrom(before, 'prod')).files]]),
      new Map([['prod', renderEnvironment(configFrom(after, 'prod')).files]]),
    );
    // THEN the review names it as an exposure change, with the annotation
    expect(messages([...env.objects], 'exposure')).toEqual([
      expect.stringMatching(
        /^Ingress\/reviewpoint-backend: metadata\.annotations.*kubernetes\.io\/ingress\.class.*public-nginx/,
      ),
    ]);
  });

  test("flags the Secret's source when an ExternalSecret comes", () => {
    const changes = changesOf((c) => {
      c.secrets.externalSecret = { store: { name: 'vault', kind: 'ClusterSecretStore' }, remoteKey: 'rp/prod' };
    });
    expect(messages(changes, 'secrets')).toEqual([
      'ExternalSecret/backend-secrets: added: Secret backend-secrets now comes from ClusterSecretStore vault',
    ]);
  });

  test('flags an ExternalSecret that goes while its Secret is read: the garbage collector deletes the Secret it owns', () => {
    // GIVEN prod with secrets.externalSecret, then without it (the pods still read the Secret)
    const before = productionConfig();
    before.secrets.externalSecret = { store: { name: 'vault', kind: 'ClusterSecretStore' }, remoteKey: 'rp/prod' };
    const after = clone(before);
    delete after.secrets.externalSecret;
    // WHEN the trees are compared
    const [env] = diffTrees(new Map([['prod', filesOf(before)]]), new Map([['prod', filesOf(after)]]));
    // THEN the removal names the Secret the garbage collector deletes and who still reads it
    const secrets = environmentRisks(env).filter((r) => r.kind === 'secrets');
    expect(secrets.map((r) => `${r.object}: ${r.message}`)).toEqual([
      expect.stringMatching(
        /^ExternalSecret\/backend-secrets: removed: Secret backend-secrets no longer comes from ClusterSecretStore vault; it owns the Secret \(creationPolicy Owner\), so its prune makes the garbage collector delete Secret backend-secrets, which Deployment\/reviewpoint-backend, Job\/reviewpoint-backend-migrate-[0-9a-f]{10} still read; allowed: first take the Secret out of its hands \(kubectl delete externalsecret backend-secrets --cascade=orphan, with sync suspended\), then remove it$/,
      ),
    ]);
  });

  test('flags no deletion when the removed ExternalSecret orphans its Secret', () => {
    // GIVEN an ExternalSecret with creationPolicy Orphan that goes
    const changes = changesOf(
      (c) => {
        c.secrets.externalSecret = { store: { name: 'vault', kind: 'ClusterSecretStore' }, remoteKey: 'rp/prod' };
      },
      (objects) => {
        objects.find((o) => o.kind === 'ExternalSecret').spec.target.creationPolicy = 'Orphan';
      },
    );
    const removed = changes.map((o) =>
      o.kind === 'ExternalSecret' ? { ...o, change: 'removed' as const, before: o.after, after: undefined } : o,
    );
    // THEN the Secret's source changes, and nothing says the Secret is deleted
    expect(messages(removed, 'secrets')).toEqual([
      'ExternalSecret/backend-secrets: removed: Secret backend-secrets no longer comes from ClusterSecretStore vault',
    ]);
  });

  test('flags a migration when a new Job comes', () => {
    const changes = changesOf((c) => {
      c.migration.image.tag = '1.0.1';
    });
    expect(messages(changes, 'migration')).toEqual([
      expect.stringMatching(
        /^Job\/reviewpoint-backend-migrate-[0-9a-f]{10}: Job \S+ is new: it will run \(ghcr\.io\/acme\/backend-shell:1\.0\.1@/,
      ),
    ]);
  });

  test('flags a migration when the init container image changes', () => {
    const init = (c: Record<string, any>) => {
      c.production = false;
      c.migration.strategy = 'initContainer';
    };
    const before = minimalConfig();
    init(before);
    const after = clone(before);
    after.migration.image.tag = '1.0.1';
    const [env] = diffTrees(
      new Map([['dev', renderEnvironment(configFrom(before, 'dev')).files]]),
      new Map([['dev', renderEnvironment(configFrom(after, 'dev')).files]]),
    );
    expect(messages([...env.objects], 'migration')).toEqual([
      'Deployment/reviewpoint-backend: init container image ghcr.io/acme/backend-shell:1.0.0 -> ghcr.io/acme/backend-shell:1.0.1: it runs in every new pod',
    ]);
    expect(messages([...env.objects], 'digest')).toEqual([
      'Deployment/reviewpoint-backend: ghcr.io/acme/backend-shell:1.0.1: no digest, so what runs is whatever the tag points at when a node pulls it',
    ]);
  });

  test('flags an immutable Deployment selector and a Service selector', () => {
    const changes = changesOf(
      () => {},
      (objects) => {
        deployment(objects).spec.selector.matchLabels.tier = 'web';
        objects.find((o) => o.kind === 'Service').spec.selector.tier = 'web';
      },
    );
    expect(messages(changes, 'immutable')).toEqual([
      'Deployment/reviewpoint-backend: spec.selector.matchLabels.tier: (none) -> web: immutable, the apply fails until the object is replaced',
    ]);
    expect(messages(changes, 'selector')).toEqual([
      'Service/reviewpoint-backend: spec.selector.tier: (none) -> web: the Service sends traffic to other pods',
    ]);
  });

  test('flags a Job whose pod template changes under the same name', () => {
    const changes = changesOf(
      () => {},
      (objects) => {
        objects.find((o) => o.kind === 'Job').spec.template.spec.containers[0].args = ['--sql'];
      },
    );
    expect(messages(changes, 'immutable')).toEqual([
      expect.stringMatching(/^Job\/\S+: spec\.template changes under the same name/),
    ]);
  });

  test('flags a security context that weakens, and not one that hardens', () => {
    const changes = changesOf(
      () => {},
      (objects) => {
        const pod = deployment(objects).spec.template.spec;
        pod.containers[0].securityContext.allowPrivilegeEscalation = true;
        pod.containers[0].securityContext.capabilities = { drop: ['NET_RAW'], add: ['NET_ADMIN'] };
        delete pod.securityContext.runAsNonRoot;
        pod.automountServiceAccountToken = true;
        objects.find((o) => o.kind === 'Namespace').metadata.labels['pod-security.kubernetes.io/enforce'] = 'baseline';
      },
    );
    expect(messages(changes, 'security')).toEqual([
      'Deployment/reviewpoint-backend: spec.template.spec.automountServiceAccountToken: false -> true',
      'Deployment/reviewpoint-backend: spec.template.spec.containers[api].securityContext.allowPrivilegeEscalation: false -> true',
      'Deployment/reviewpoint-backend: spec.template.spec.containers[api].securityContext.capabilities.add: (none) -> ["NET_ADMIN"]',
      'Deployment/reviewpoint-backend: spec.template.spec.containers[api].securityContext.capabilities.drop[0]: ALL -> NET_RAW',
      'Deployment/reviewpoint-backend: spec.template.spec.securityContext.runAsNonRoot: true -> (none)',
      'Namespace/rp-test: metadata.labels["pod-security.kubernetes.io/enforce"]: restricted -> baseline',
    ]);
    expect(
      messages(
        changesOf(
          () => {},
          (objects) => {
            deployment(objects).spec.template.spec.securityContext.runAsUser = 1000;
          },
        ),
        'security',
      ),
    ).toEqual([]);
  });

  test('flags replicas, the PDB and the HPA', () => {
    expect(
      messages(
        changesOf((c) => {
          c.app.replicas = 3;
        }),
        'availability',
      ),
    ).toEqual(['Deployment/reviewpoint-backend: replicas 2 -> 3']);
    expect(
      messages(
        changesOf((c) => {
          c.app.podDisruptionBudget = { maxUnavailable: 1 };
        }),
        'availability',
      ),
    ).toEqual([
      'PodDisruptionBudget/reviewpoint-backend: spec.maxUnavailable (none) -> 1; spec.minAvailable 1 -> (none)',
    ]);
    expect(
      messages(
        changesOf((c) => {
          delete c.app.replicas;
          c.app.autoscaling = { minReplicas: 2, maxReplicas: 4 };
        }),
        'availability',
      ),
    ).toEqual([
      'Deployment/reviewpoint-backend: replicas 2 -> (none): the field is removed, the API server defaults it to 1 and the Deployment drops from 2 pods to 1 until HorizontalPodAutoscaler/reviewpoint-backend, added in the same change, scales it to 2; allowed: minReplicas 2 or more, and spec.replicas taken out of the last applied configuration before the change syncs, so the apply leaves it (README: from replicas to autoscaling)',
      'HorizontalPodAutoscaler/reviewpoint-backend: added',
    ]);
  });

  test('flags the drop to one pod when replicas go without an HPA taking over', () => {
    // GIVEN the Deployment's spec.replicas removed and no HPA added
    const changes = changesOf(
      () => {},
      (objects) => {
        delete deployment(objects).spec.replicas;
      },
    );
    // THEN the review says the Deployment scales down to the default
    expect(messages(changes, 'availability')).toEqual([
      'Deployment/reviewpoint-backend: replicas 2 -> (none): the field is removed, the API server defaults it to 1 and the Deployment drops from 2 pods to 1',
    ]);
  });

  test('flags a NetworkPolicy that lets more through, or a deny-all that goes', () => {
    const wider = changesOf((c) => {
      c.database.egress = { cidr: '10.0.0.0/8' };
    });
    expect(messages(wider, 'network')).toEqual([
      'NetworkPolicy/reviewpoint-backend-egress: spec.egress[1].to[0].ipBlock.cidr: 10.0.0.0/24 -> 10.0.0.0/8',
    ]);
    const anyPort = changesOf(
      () => {},
      (objects) => {
        delete objects.find((o) => o.metadata.name === 'reviewpoint-backend-ingress').spec.ingress[0].ports;
      },
    );
    expect(messages(anyPort, 'network')).toEqual([
      'NetworkPolicy/reviewpoint-backend-ingress: spec.ingress[0].ports: [{"port":8000,"protocol":"TCP"}] -> (none)',
    ]);
    const fewerPeers = changesOf(
      () => {},
      (objects) => {
        objects.find((o) => o.metadata.name === 'reviewpoint-backend-egress').spec.egress.pop();
      },
    );
    expect(messages(fewerPeers, 'network')).toEqual([]);
    const opened = changesOf(
      () => {},
      (objects) =>
        objects.splice(
          objects.findIndex((o) => o.metadata.name === 'default-deny'),
          1,
        ),
    );
    expect(messages(opened, 'network')).toEqual([
      'NetworkPolicy/default-deny: a deny-all policy is removed: what it denied is open',
    ]);
    const added = changesOf((c) => {
      c.production = false;
      c.settings.environment = 'dev';
      c.database.egress = { namespace: 'rp-test', podLabels: { app: 'db' } };
    });
    expect(messages(added, 'network')).toEqual([
      'NetworkPolicy/reviewpoint-backend-egress: spec.egress[1].to[0].ipBlock: {"cidr":"10.0.0.0/24"} -> (none)',
      'NetworkPolicy/reviewpoint-backend-egress: spec.egress[1].to[0].namespaceSelector: (none) -> {"matchLabels":{"kubernetes.io/metadata.name":"rp-test"}}',
      'NetworkPolicy/reviewpoint-backend-egress: spec.egress[1].to[0].podSelector: (none) -> {"matchLabels":{"app":"db"}}',
      expect.stringMatching(
        /^NetworkPolicy\/reviewpoint-backend-to-database: new policy allowing in from \[\{"podSelector".* on \[\{"port":5432,"protocol":"TCP"\}\]$/,
      ),
    ]);
  });

  test('flags a change of an auth, test or debug setting in any spelling, in the ConfigMap or a container', () => {
    // GIVEN a non-production environment (the synth refuses these; a review of a hand edit still shows them)
    const dev = (c: Record<string, any>) => {
      c.production = false;
    };
    const lowerCase = changesOf(dev, (objects) => {
      const spellings = { reviewpoint_auth_enabled: 'false', Reviewpoint_Environment: 'test' };
      const configMap = objects.find((o) => o.kind === 'ConfigMap');
      configMap.data = { ...configMap.data, ...spellings };
      const migrate = objects.find((o) => o.kind === 'Job').spec.template.spec.containers[0];
      migrate.env.push(...Object.entries(spellings).map(([name, value]) => ({ name, value })));
    });
    expect(messages(lowerCase, 'settings')).toEqual([
      'ConfigMap/reviewpoint-backend: REVIEWPOINT_AUTH_ENABLED (any spelling): REVIEWPOINT_AUTH_ENABLED="true" -> REVIEWPOINT_AUTH_ENABLED="true", reviewpoint_auth_enabled="false"',
      'ConfigMap/reviewpoint-backend: REVIEWPOINT_ENVIRONMENT (any spelling): REVIEWPOINT_ENVIRONMENT="dev" -> REVIEWPOINT_ENVIRONMENT="dev", Reviewpoint_Environment="test"',
      // the migration Job carries the settings in its own env (its name without the content hash)
      'Job/reviewpoint-backend-migrate: container "migrate": REVIEWPOINT_AUTH_ENABLED (any spelling): REVIEWPOINT_AUTH_ENABLED="true" -> REVIEWPOINT_AUTH_ENABLED="true", reviewpoint_auth_enabled="false"',
      'Job/reviewpoint-backend-migrate: container "migrate": REVIEWPOINT_ENVIRONMENT (any spelling): REVIEWPOINT_ENVIRONMENT="dev" -> REVIEWPOINT_ENVIRONMENT="dev", Reviewpoint_Environment="test"',
    ]);
    const authOff = changesOf((c) => {
      dev(c);
      c.settings.authEnabled = false;
    });
    expect(messages(authOff, 'settings')).toEqual([
      'ConfigMap/reviewpoint-backend: REVIEWPOINT_AUTH_ENABLED (any spelling): REVIEWPOINT_AUTH_ENABLED="true" -> REVIEWPOINT_AUTH_ENABLED="false"',
      'Job/reviewpoint-backend-migrate: container "migrate": REVIEWPOINT_AUTH_ENABLED (any spelling): REVIEWPOINT_AUTH_ENABLED="true" -> REVIEWPOINT_AUTH_ENABLED="false"',
    ]);
    const inThePod = changesOf(dev, (objects) => {
      const api = deployment(objects).spec.template.spec.containers[0];
      api.env = [...(api.env ?? []), { name: 'pytest_current_test', value: 'x' }, { name: 'FAST_TESTS', value: '1' }];
    });
    expect(messages(inThePod, 'settings')).toEqual([
      'Deployment/reviewpoint-backend: container "api": FAST_TESTS (any spelling): (none) -> FAST_TESTS="1"',
      'Deployment/reviewpoint-backend: container "api": PYTEST_CURRENT_TEST (any spelling): (none) -> pytest_current_test="x"',
    ]);
  });

  test('flags no setting when a new image renames the migration Job', () => {
    expect(
      messages(
        changesOf((c) => {
          c.migration.image.tag = '1.0.1';
        }),
        'settings',
      ),
    ).toEqual([]);
  });

  test('flags a Secret with data in the output', () => {
    const changes = changesOf(
      () => {},
      (objects) => {
        objects.push({
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 'db', namespace: 'rp-test' },
          stringData: { password: 'hunter2' },
        });
      },
    );
    expect(messages(changes, 'secret-data')).toEqual([
      'Secret/db: added, with password: the values are in git, in every clone; the synth never writes a Secret with data (allowed: a reference to a Secret created outside the output)',
    ]);
  });

  test('flags an image without a digest', () => {
    const changes = changesOf((c) => {
      c.production = false;
      delete c.app.image.digest;
    });
    expect(messages(changes, 'digest')).toEqual([
      'Deployment/reviewpoint-backend: ghcr.io/acme/backend:1.0.0: no digest, so what runs is whatever the tag points at when a node pulls it',
    ]);
  });
});

describe('review', () => {
  test('says which production environments change', () => {
    const before = productionConfig();
    const after = clone(before);
    after.app.replicas = 3;
    const dev = minimalConfig();
    const devAfter = clone(dev);
    devAfter.app.replicas = 3;
    const changes = diffTrees(
      new Map([
        ['prod', filesOf(before)],
        ['dev', filesOf(dev)],
      ]),
      new Map([
        ['prod', filesOf(after)],
        ['dev', filesOf(devAfter)],
      ]),
    );
    const result = review({ base: 'main', head: 'the working tree', changes });
    expect(result.production).toEqual(['prod']);
    expect(result.markdown).toContain('**Production changes: prod.**');
    // the Deployment, and the app's Flux Kustomization, whose timeout covers every rollout step
    expect(result.markdown).toContain('| prod (production) | 0 | 0 | 2 | replicas, PDB or HPA change |');
    expect(result.markdown).toContain('  | `spec.replicas` | `2` | `3` |');
  });

  test('says so when nothing changes', () => {
    const result = review({ base: 'main', head: 'the working tree', changes: [] });
    expect(result.production).toEqual([]);
    expect(result.markdown).toContain('**No object changes in any environment.**');
  });
});

describe('npm run diff, on a repository', () => {
  let dir: string;
  const lines: string[] = [];
  const out: Output = { log: (l) => lines.push(l), error: (l) => lines.push(l) };
  const git = (...args: string[]) => {
    const run = spawnSync(
      'git',
      ['-c', 'user.name=test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args],
      { cwd: dir, encoding: 'utf8' },
    );
    if (run.status !== 0) throw new Error(run.stderr);
  };

  beforeEach(() => {
    // GIVEN a repository holding the committed config/ and dist/
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'review-'));
    fs.cpSync(FIXTURE_CONFIG_DIR, path.join(dir, 'config'), { recursive: true });
    expect(
      main(
        ['--config', path.join(dir, 'config'), '--out', path.join(dir, 'dist')],
        {},
        { log: () => {}, error: () => {} },
      ),
    ).toBe(0);
    git('init', '-q');
    git('add', '.');
    git('commit', '-qm', 'base');
    lines.length = 0;
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('after set-image on prod, against the previous commit: the Deployment, the Job, the image and the migration', () => {
    // WHEN prod's images are bumped and committed
    const bump = PROD_IMAGE_BUMP;
    expect(setImage([...bump, '--config', path.join(dir, 'config'), '--out', path.join(dir, 'dist')], out)).toBe(0);
    git('add', '-A');
    git('commit', '-qm', 'bump');
    lines.length = 0;
    const code = runDiff(['--base', 'HEAD~1', '--head', 'HEAD', '--exit-code'], out, dir);
    // THEN production changes, and the review names what and why
    expect(code).toBe(PRODUCTION_CHANGES);
    const markdown = lines.join('\n');
    expect(markdown).toContain('**Production changes: prod.**');
    expect(markdown).toContain('| prod (production) | 1 | 1 | 1 | a migration will run |');
    expect(markdown).toMatch(
      /- Job `reviewpoint-backend-migrate-[0-9a-f]{10}` removed, Job `reviewpoint-backend-migrate-[0-9a-f]{10}` added: \*\*a migration will run\*\*/,
    );
    expect(markdown).toContain(
      `| \`spec.template.spec.containers[api].image\` | \`ghcr.io/reviewpoint/backend:1.4.2@sha256:f10afa2add8d86f914bd9565d1e997539ce05b4a5367d2301e382137a4d25781\` | \`ghcr.io/reviewpoint/backend:1.4.3@${DIGEST_A}\` |`,
    );
    expect(markdown).not.toMatch(/### (dev|staging)/);
    // and the working tree, now the same as HEAD, has no change against it
    lines.length = 0;
    expect(runDiff(['--base', 'HEAD', '--exit-code'], out, dir)).toBe(0);
    expect(lines.join('\n')).toContain('**No object changes in any environment.**');
  });

  /** synthesize the scratch repository's config and commit everything */
  const synthAndCommit = (message: string) => {
    expect(
      main(
        ['--config', path.join(dir, 'config'), '--out', path.join(dir, 'dist')],
        {},
        { log: () => {}, error: (l) => lines.push(l) },
      ),
    ).toBe(0);
    git('add', '-A');
    git('commit', '-qm', message);
    lines.length = 0;
  };
  const editProd = (edit: (text: string) => string) => {
    const file = path.join(dir, 'config', 'prod.yaml');
    fs.writeFileSync(file, edit(fs.readFileSync(file, 'utf8')));
  };

  test('exits 2 with --exit-code for a commit that sets production: false and turns auth off in the same change', () => {
    // GIVEN a commit that drops prod's production mark and turns its auth off
    editProd((t) =>
      t.replace('production: true', 'production: false').replace('settings:\n', 'settings:\n  authEnabled: false\n'),
    );
    synthAndCommit('prod: not production, no auth');
    // WHEN it is reviewed
    const code = runDiff(['--base', 'HEAD~1', '--head', 'HEAD', '--exit-code'], out, dir);
    // THEN it is a production change, and both the mark and the auth setting need attention
    const markdown = lines.join('\n');
    expect(markdown).toContain('**Production changes: prod.**');
    expect(markdown).toMatch(
      /\| prod \(production\) \| 1 \| 1 \| 2 \| the production mark is dropped, auth, test or debug settings change, /,
    );
    expect(markdown).toContain(
      '- **the production mark is dropped**: `Kustomization/prod`: kustomization.yaml no longer marks "prod" as production (production: true -> false)',
    );
    expect(markdown).toContain(
      '- **auth, test or debug settings change**: `ConfigMap/reviewpoint-backend`: REVIEWPOINT_AUTH_ENABLED (any spelling): REVIEWPOINT_AUTH_ENABLED="true" -> REVIEWPOINT_AUTH_ENABLED="false"',
    );
    expect(code).toBe(PRODUCTION_CHANGES);
  });

  test('exits 2 with --exit-code for a commit that only drops the production mark', () => {
    editProd((t) => t.replace('production: true', 'production: false'));
    synthAndCommit('prod: not production');
    const code = runDiff(['--base', 'HEAD~1', '--head', 'HEAD', '--exit-code'], out, dir);
    expect(lines.join('\n')).toContain('- **the production mark is dropped**: `Kustomization/prod`');
    expect(code).toBe(PRODUCTION_CHANGES);
  });

  test('flags a Secret with data added to dist/ by hand, which the freshness check refuses too', () => {
    // GIVEN a Secret with data written into the working tree's dist/dev/
    const secret = path.join(dir, 'dist', 'dev', 'app', 'secret-db.yaml');
    fs.writeFileSync(
      secret,
      'apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: reviewpoint-dev\nstringData:\n  password: hunter2\n',
    );
    // WHEN it is reviewed THEN it needs attention
    expect(runDiff(['--base', 'HEAD'], out, dir)).toBe(0);
    expect(lines.join('\n')).toContain(
      '- **a Secret with data is in the output**: `Secret/db`: added, with password: the values are in git',
    );
    // AND the check that npm test runs names it as a file the config does not synthesize
    lines.length = 0;
    expect(main(['--check', '--config', path.join(dir, 'config'), '--out', path.join(dir, 'dist')], {}, out)).toBe(1);
    expect(lines.join('\n')).toMatch(/dist\/dev\/app\/secret-db\.yaml is stale/);
  });

  test.each([
    ['the working tree', [] as string[], /option --out nosuchdir: no such output folder in the working tree/],
    ['a commit', ['--head', 'HEAD'], /option --out nosuchdir: no such output folder in commit HEAD/],
  ])('fails when --out names no folder in %s', (_where, head, message) => {
    expect(runDiff(['--base', 'HEAD', ...head, '--out', 'nosuchdir', '--exit-code'], out, dir)).toBe(1);
    expect(lines.join('\n')).toMatch(message);
    expect(lines.join('\n')).toMatch(/^diff failed: /);
  });

  test('fails when the base names no commit', () => {
    expect(runDiff(['--base', 'no-such-ref'], out, dir)).toBe(1);
    expect(lines.join('\n')).toMatch(/^diff failed: unknown git ref "no-such-ref"; allowed: a commit, branch or tag/);
  });
});
