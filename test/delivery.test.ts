import { checkRenderedDelivery, declaredPrerequisites, DELIVERY_RULES } from '../lib/delivery';
import { repoPath } from '../lib/app/delivery';
import {
  appliedBeforeFailure,
  argoCdPlan,
  argoCdSelfHeal,
  fluxPlan,
  kubectlPlan,
  kustomize,
  objectsIn,
  plans,
  providedBefore,
} from '../lib/delivery/model';
import { checkDelivery } from '../lib/delivery/rules';
import type { Violation } from '../lib/policy';
import { renderEnvironment, type RenderedEnvironment } from '../lib/render';
import { validateSchema } from '../lib/schema';
import { verifyDelivery } from '../lib/verify';
import { readYaml, toYaml } from '../lib/yaml';
import { validateWithCrdModels } from './crd-models';
import type { EnvironmentConfig } from '../lib/config';
import {
  committedConfig,
  configFrom,
  devLike,
  ENVIRONMENTS,
  minimalConfig,
  productionConfig,
  prodLike,
  fixtureConfig,
} from './helpers';

const rendered = (env: string) => renderEnvironment(committedConfig(env));
// shapes of environment, independent of what config/ holds
/** a production-shaped environment "store" whose Secret an ExternalSecret creates */
function storeLike(): EnvironmentConfig {
  const c = productionConfig();
  c.namespace = 'reviewpoint-store';
  c.secrets = {
    name: 'reviewpoint-backend',
    externalSecret: { store: { name: 'vault', kind: 'ClusterSecretStore' }, remoteKey: 'reviewpoint/backend' },
  };
  return configFrom(c, 'store');
}
/** a production-shaped environment "claim" whose uploads live on a claim the output creates */
function claimLike(): EnvironmentConfig {
  const c = productionConfig();
  c.namespace = 'reviewpoint-claim';
  c.app.uploads = { volume: { size: '20Gi', storageClassName: 'nfs-client', accessMode: 'ReadWriteMany' } };
  return configFrom(c, 'claim');
}
const FIXTURES = { prod: prodLike, dev: devLike, store: storeLike, claim: claimLike } as const;
const fixture = (env: keyof typeof FIXTURES) => renderEnvironment(FIXTURES[env]());
const names = (objects: readonly any[]) => objects.map((o) => `${o.kind}/${o.metadata.name}`);

describe.each(ENVIRONMENTS)('environment %s', (env) => {
  test('comes up under Argo CD, Flux and kubectl: no delivery violation', () => {
    expect(checkRenderedDelivery(committedConfig(env), rendered(env))).toEqual([]);
  });

  test('every engine applies the same objects as dist/<env> renders', () => {
    const r = rendered(env);
    const all = names(kustomize(r.files, '')).sort();
    for (const plan of plans(r.files, repoPath(committedConfig(env).delivery, env))) {
      expect(names(plan.steps.flatMap((s) => s.objects)).sort()).toEqual(all);
    }
  });
});

describe('a first sync of a production-shaped environment', () => {
  const r = fixture('prod');
  const objects = kustomize(r.files, '');

  test('Argo CD: what the migration needs, then the migration Job, then the app, each step waited for', () => {
    const steps = argoCdPlan(objects).steps;
    // gitops-engine creates the Namespace before anything else
    expect(steps.map((s) => s.name)).toEqual(['namespaces first', 'Sync wave -2', 'Sync wave -1', 'Sync wave 0']);
    expect(names(steps[0].objects)).toEqual(['Namespace/reviewpoint-prod']);
    expect(names(steps[1].objects)).toEqual([
      'NetworkPolicy/default-deny',
      'NetworkPolicy/reviewpoint-backend-egress',
      'NetworkPolicy/reviewpoint-backend-ingress',
      'ServiceAccount/reviewpoint-backend-migration',
    ]);
    expect(names(steps[2].objects)).toEqual([expect.stringMatching(/^Job\/reviewpoint-backend-migrate-[0-9a-f]{10}$/)]);
    expect(names(steps[3].objects)).toContain('Deployment/reviewpoint-backend');
  });

  test('Flux: the migration Kustomization holds the Job and not the Deployment, the app one the reverse', () => {
    const plan = fluxPlan(r.files, objectsIn(r.files, 'delivery/flux'), 'dist/prod');
    // the app's starts only once the migration's is done, which waits for its Job
    expect(plan.steps.map((s) => [s.name, [...s.after]])).toEqual([
      ['Kustomization reviewpoint-backend-prod-migration', []],
      ['Kustomization reviewpoint-backend-prod', [0]],
    ]);
    expect(plan.steps[0].waitsFor(plan.steps[0].objects.find((o) => o.kind === 'Job')!)).toBe(true);
    const [migration, app] = plan.steps.map((s) => names(s.objects));
    expect(migration.some((n) => n.startsWith('Job/'))).toBe(true);
    expect(migration).not.toContain('Deployment/reviewpoint-backend');
    expect(app).toContain('Deployment/reviewpoint-backend');
    expect(app.some((n) => n.startsWith('Job/'))).toBe(false);
    // the finished Job stays under Flux: its TTL is patched out
    expect(plan.steps[0].objects.find((o) => o.kind === 'Job')!.spec.ttlSecondsAfterFinished).toBeUndefined();
  });

  test('kubectl: the stage folders in order', () => {
    expect(kubectlPlan(r.files).steps.map((s) => s.name)).toEqual([
      'kubectl apply -k migration',
      'kubectl apply -k app',
    ]);
  });

  test('the config declares what must exist before it: the Secret and the TLS secret', () => {
    expect(declaredPrerequisites(prodLike())).toEqual([
      { kind: 'Secret', name: 'reviewpoint-backend', namespace: 'reviewpoint-prod' },
      { kind: 'Secret', name: 'reviewpoint-api-tls', namespace: 'reviewpoint-prod' },
    ]);
  });
});

describe('a dev-shaped environment, with its database in its own namespace', () => {
  test('is one stage: the app alone, under a single Flux Kustomization', () => {
    const r = fixture('dev');
    expect(r.stages).toEqual(['app']);
    expect(names(objectsIn(r.files, 'delivery/flux'))).toEqual(['Kustomization/reviewpoint-backend-dev']);
  });
});

/** one object of a rendered environment, changed by `change`, written back as the synth would */
function breakFile(r: RenderedEnvironment, match: RegExp, change: (o: any) => void): Map<string, string> {
  const files = new Map(r.files);
  const file = [...files.keys()].find((f) => match.test(f));
  if (!file) throw new Error(`no file matches ${match}`);
  const o = readYaml(files.get(file)!) as any;
  change(o);
  files.set(file, toYaml(o));
  return files;
}

/** a file moved to another stage folder, both kustomization.yaml files updated */
function moveFile(files: ReadonlyMap<string, string>, match: RegExp, to: string): Map<string, string> {
  const moved = new Map(files);
  const file = [...moved.keys()].find((f) => match.test(f));
  if (!file) throw new Error(`no file matches ${match}`);
  const [from, name] = file.split('/');
  const edit = (folder: string, change: (resources: string[]) => string[]) => {
    const k = readYaml(moved.get(`${folder}/kustomization.yaml`)!) as any;
    k.resources = change(k.resources);
    moved.set(`${folder}/kustomization.yaml`, toYaml(k));
  };
  edit(from, (r) => r.filter((x) => x !== name));
  edit(to, (r) => [...r, name]);
  moved.set(`${to}/${name}`, moved.get(file)!);
  moved.delete(file);
  return moved;
}

/** a file removed, and from its folder's kustomization.yaml */
function dropFile(files: ReadonlyMap<string, string>, match: RegExp): Map<string, string> {
  const dropped = new Map(files);
  const file = [...dropped.keys()].find((f) => match.test(f));
  if (!file) throw new Error(`no file matches ${match}`);
  const [folder, name] = file.split('/');
  const k = readYaml(dropped.get(`${folder}/kustomization.yaml`)!) as any;
  k.resources = k.resources.filter((r: string) => r !== name);
  dropped.set(`${folder}/kustomization.yaml`, toYaml(k));
  dropped.delete(file);
  return dropped;
}

/** the ExternalSecret of the store fixture in the app stage: Flux's folder and Argo CD's wave 0 */
function externalSecretInAppStage(): Map<string, string> {
  const files = moveFile(fixture('store').files, /^migration\/externalsecret-/, 'app');
  const file = 'app/externalsecret-reviewpoint-backend.yaml';
  const o = readYaml(files.get(file)!) as any;
  delete o.metadata.annotations;
  files.set(file, toYaml(o));
  return files;
}

const check = (
  env: keyof typeof FIXTURES,
  files: ReadonlyMap<string, string>,
  prerequisites = declaredPrerequisites(FIXTURES[env]()),
): Violation[] => checkDelivery({ environment: env, files, root: `dist/${env}`, prerequisites });

const JOB = /^migration\/job-/;
const FLUX_MIGRATION = /kustomization-reviewpoint-backend-prod-migration\.yaml$/;

const cases: Array<{
  rule: string;
  what: string;
  env?: keyof typeof FIXTURES;
  files: () => ReadonlyMap<string, string>;
  prerequisites?: [];
  message: RegExp;
}> = [
  {
    rule: 'delivery-missing',
    what: 'the Secret is not declared as a prerequisite',
    files: () => fixture('prod').files,
    prerequisites: [],
    message:
      /needs Secret\/reviewpoint-backend \(namespace reviewpoint-prod\), which is neither in the output nor a declared prerequisite/,
  },
  {
    rule: 'delivery-missing',
    what: 'the Deployment reads a ConfigMap nobody creates',
    files: () =>
      breakFile(fixture('prod'), /^app\/deployment-/, (o) => {
        o.spec.template.spec.containers[0].envFrom[0].configMapRef.name = 'other';
      }),
    message: /containers\[api\]\.envFrom\[0\] needs ConfigMap\/other/,
  },
  {
    // the first-sync deadlock: a PreSync hook that reads the ConfigMap the Sync phase creates
    rule: 'delivery-order',
    what: 'the migration Job is a PreSync hook that reads the app ConfigMap',
    files: () =>
      breakFile(fixture('prod'), JOB, (o) => {
        o.metadata.annotations['argocd.argoproj.io/hook'] = 'PreSync';
        o.spec.template.spec.containers[0].envFrom = [{ configMapRef: { name: 'reviewpoint-backend' } }];
      }),
    message:
      /argocd: .*needs ConfigMap\/reviewpoint-backend .*applied in "Sync wave 0", after "PreSync wave -1" waits for this object/,
  },
  {
    rule: 'delivery-order',
    what: 'the Job reads a ConfigMap of the app stage (Flux)',
    files: () =>
      breakFile(fixture('prod'), JOB, (o) => {
        o.spec.template.spec.containers[0].envFrom = [{ configMapRef: { name: 'reviewpoint-backend' } }];
      }),
    message: /flux: .*needs ConfigMap\/reviewpoint-backend .*"Kustomization reviewpoint-backend-prod"/,
  },
  {
    // the ExternalSecret's Secret counts as applied in the ExternalSecret's step
    rule: 'delivery-order',
    what: 'the ExternalSecret that creates the Secret sits in the app stage (Argo CD)',
    env: 'store',
    files: externalSecretInAppStage,
    message:
      /argocd: .*containers\[migrate\]\.env\[REVIEWPOINT_DB_URL\] needs Secret\/reviewpoint-backend \(namespace reviewpoint-store\), created by ExternalSecret\/reviewpoint-backend, applied in "Sync wave 0", after "Sync wave -1" waits for this object/,
  },
  {
    rule: 'delivery-order',
    what: 'the ExternalSecret that creates the Secret sits in the app stage (Flux)',
    env: 'store',
    files: externalSecretInAppStage,
    message:
      /flux: .*needs Secret\/reviewpoint-backend \(namespace reviewpoint-store\), created by ExternalSecret\/reviewpoint-backend, applied in "Kustomization reviewpoint-backend-store", after "Kustomization reviewpoint-backend-store-migration" waits/,
  },
  {
    rule: 'delivery-missing',
    what: 'the Secret comes from a store but no ExternalSecret creates it',
    env: 'store',
    files: () => dropFile(fixture('store').files, /^migration\/externalsecret-/),
    message:
      /needs Secret\/reviewpoint-backend \(namespace reviewpoint-store\), which is neither in the output nor a declared prerequisite/,
  },
  {
    rule: 'delivery-coverage',
    what: 'a Flux Kustomization points at a folder that does not exist',
    files: () =>
      breakFile(fixture('prod'), /kustomization-reviewpoint-backend-prod\.yaml$/, (o) => {
        o.spec.path = './dist/prod/apps';
      }),
    message: /spec\.path \.\/dist\/prod\/apps: apps\/kustomization\.yaml does not exist/,
  },
  {
    rule: 'delivery-coverage',
    what: 'two Flux Kustomizations apply the same objects',
    files: () =>
      breakFile(fixture('prod'), /kustomization-reviewpoint-backend-prod\.yaml$/, (o) => {
        o.spec.path = './dist/prod';
      }),
    message: /flux applies it 2 times/,
  },
  {
    rule: 'delivery-coverage',
    what: 'the Argo CD Application points elsewhere',
    files: () =>
      breakFile(fixture('prod'), /application-/, (o) => {
        o.spec.source.path = 'dist/staging';
      }),
    message: /spec\.source\.path is "dist\/staging"; allowed: dist\/prod/,
  },
  {
    rule: 'migration-first',
    what: 'the Flux migration stage does not wait for the Job',
    files: () =>
      breakFile(fixture('prod'), FLUX_MIGRATION, (o) => {
        o.spec.wait = false;
      }),
    message:
      /flux: Deployment\/reviewpoint-backend is applied in "Kustomization reviewpoint-backend-prod", which does not wait for this Job to complete/,
  },
  {
    rule: 'migration-first',
    what: 'the Job is a plain object of the app wave (Argo CD)',
    files: () =>
      breakFile(fixture('prod'), JOB, (o) => {
        delete o.metadata.annotations['argocd.argoproj.io/hook'];
        delete o.metadata.annotations['argocd.argoproj.io/sync-wave'];
      }),
    message:
      /argocd: Deployment\/reviewpoint-backend is applied in "Sync wave 0", which does not wait for this Job to complete/,
  },
  {
    rule: 'job-rerun',
    what: 'Flux keeps the Job TTL',
    files: () =>
      breakFile(fixture('prod'), FLUX_MIGRATION, (o) => {
        delete o.spec.patches;
      }),
    message: /flux: ttlSecondsAfterFinished deletes the finished Job/,
  },
  {
    // a self-heal skips hooks, not plain objects: a plain Job its TTL removed is applied again
    rule: 'job-rerun',
    what: 'the Job is a plain object with a TTL (Argo CD)',
    files: () =>
      breakFile(fixture('prod'), JOB, (o) => {
        delete o.metadata.annotations['argocd.argoproj.io/hook'];
        delete o.metadata.annotations['argocd.argoproj.io/hook-delete-policy'];
      }),
    message:
      /argocd: ttlSecondsAfterFinished deletes the finished Job, and the self-heal that follows applies it again/,
  },
  {
    rule: 'secret-arrival',
    what: "the Job that reads the ExternalSecret's Secret in the same Flux batch has no deadline",
    env: 'store',
    files: () =>
      breakFile(fixture('store'), JOB, (o) => {
        delete o.spec.activeDeadlineSeconds;
      }),
    message:
      /flux: .*containers\[migrate\]\.env\[REVIEWPOINT_DB_URL\] needs Secret\/reviewpoint-backend \(namespace reviewpoint-store\), created by ExternalSecret\/reviewpoint-backend \(both in "Kustomization reviewpoint-backend-store-migration"\): the Secret may not exist when the pod starts/,
  },
  {
    rule: 'hook-cleanup',
    what: 'a hook Job with a hashed name has no TTL and no HookSucceeded',
    files: () =>
      breakFile(fixture('prod'), JOB, (o) => {
        delete o.spec.ttlSecondsAfterFinished;
      }),
    message: /Argo CD never prunes hooks/,
  },
  {
    rule: 'migration-first',
    what: 'the Flux app Kustomization does not depend on the migration one (Flux runs them side by side)',
    files: () =>
      breakFile(fixture('prod'), /kustomization-reviewpoint-backend-prod\.yaml$/, (o) => {
        delete o.spec.dependsOn;
      }),
    message:
      /flux: Deployment\/reviewpoint-backend is applied in "Kustomization reviewpoint-backend-prod", which does not wait/,
  },
  {
    rule: 'migration-first',
    what: 'the Flux migration stage health-checks something else instead of waiting for the Job',
    files: () =>
      breakFile(fixture('prod'), FLUX_MIGRATION, (o) => {
        delete o.spec.wait;
        o.spec.healthChecks = [
          { kind: 'ServiceAccount', name: 'reviewpoint-backend-migration', namespace: 'reviewpoint-prod' },
        ];
      }),
    message:
      /flux: Deployment\/reviewpoint-backend is applied in "Kustomization reviewpoint-backend-prod", which does not wait/,
  },
  {
    rule: 'delivery-order',
    what: 'the egress allow reaches the migration only in the app wave (Argo CD)',
    files: () =>
      breakFile(fixture('prod'), /networkpolicy-reviewpoint-backend-egress/, (o) => {
        o.metadata.annotations = { 'argocd.argoproj.io/sync-wave': '0' };
      }),
    message:
      /argocd: .*\(egress\) needs NetworkPolicy\/reviewpoint-backend-egress .*applied in "Sync wave 0", after "Sync wave -1" waits/,
  },
  {
    rule: 'force-scope',
    what: 'the Flux migration stage forces every object, its Namespace included',
    files: () =>
      breakFile(fixture('prod'), FLUX_MIGRATION, (o) => {
        o.spec.force = true;
      }),
    message: /spec\.force recreates Namespace\/reviewpoint-prod on an immutable-field conflict/,
  },
  {
    rule: 'cluster-scoped',
    what: 'the Namespace carries metadata.namespace',
    files: () =>
      breakFile(fixture('prod'), /namespace-reviewpoint-prod/, (o) => {
        o.metadata.namespace = 'reviewpoint-prod';
      }),
    message: /metadata\.namespace is "reviewpoint-prod" on a cluster-scoped kind/,
  },
  {
    rule: 'namespace-protected',
    what: 'the Namespace can be pruned',
    files: () =>
      breakFile(fixture('prod'), /namespace-reviewpoint-prod/, (o) => {
        delete o.metadata.annotations;
      }),
    message:
      /missing argocd\.argoproj\.io\/sync-options: Prune=false, argocd\.argoproj\.io\/sync-options: Delete=false, kustomize\.toolkit\.fluxcd\.io\/prune: disabled/,
  },
  {
    rule: 'claim-protected',
    what: 'the uploads claim of the output can be pruned and deleted',
    env: 'claim',
    files: () =>
      breakFile(fixture('claim'), /persistentvolumeclaim-reviewpoint-backend-uploads/, (o) => {
        o.metadata.annotations['argocd.argoproj.io/sync-options'] = 'Prune=false';
        delete o.metadata.annotations['kustomize.toolkit.fluxcd.io/prune'];
      }),
    message:
      /PersistentVolumeClaim\/reviewpoint-backend-uploads: missing argocd\.argoproj\.io\/sync-options: Delete=false, kustomize\.toolkit\.fluxcd\.io\/prune: disabled: pruning or deleting the application would delete the claim/,
  },
  {
    rule: 'claim-binding',
    what: 'the uploads claim is in a wave of its own before the Deployment that mounts it',
    env: 'claim',
    files: () =>
      breakFile(fixture('claim'), /persistentvolumeclaim-reviewpoint-backend-uploads/, (o) => {
        o.metadata.annotations['argocd.argoproj.io/sync-wave'] = '-2';
      }),
    message:
      /argocd: "Sync wave -2" waits for the claim to be Bound before "Sync wave 0" applies Deployment\/reviewpoint-backend, which mounts it: .*WaitForFirstConsumer/,
  },
  {
    rule: 'force-scope',
    what: 'the Flux app stage forces every object, the uploads claim included',
    env: 'claim',
    files: () =>
      breakFile(fixture('claim'), /kustomization-reviewpoint-backend-claim\.yaml$/, (o) => {
        o.spec.force = true;
      }),
    message: /spec\.force recreates PersistentVolumeClaim\/reviewpoint-backend-uploads on an immutable-field conflict/,
  },
  {
    rule: 'network-closure',
    what: 'the database in the namespace does not admit the backend on its port',
    env: 'dev',
    files: () =>
      breakFile(fixture('dev'), /to-database/, (o) => {
        o.spec.ingress[0].ports[0].port = 5433;
      }),
    message:
      /lets pods .* reach pods \{"app\.kubernetes\.io\/name":"postgresql"\} of namespace reviewpoint-dev on TCP 5432, but NetworkPolicy\/default-deny, NetworkPolicy\/reviewpoint-backend-to-database admit no such traffic/,
  },
];

describe('the delivery check', () => {
  test.each(cases)('fails when $what [$rule]', ({ rule, env, files, prerequisites, message }) => {
    const violations = check(env ?? 'prod', files(), prerequisites);
    expect(violations.filter((v) => v.rule === rule).map((v) => `${v.object}: ${v.message}`)).toContainEqual(
      expect.stringMatching(message),
    );
  });

  test('every rule has a case above that breaks it', () => {
    expect(new Set(cases.map((c) => c.rule))).toEqual(new Set(DELIVERY_RULES.map((r) => r.id)));
  });
});

describe('the delivery objects', () => {
  test('take repository, revision, project, namespaces and source from the config', () => {
    const data = { ...minimalConfig() } as Record<string, any>;
    data.delivery = {
      repoURL: 'git@github.com:acme/gitops.git',
      revision: 'release',
      root: 'clusters/eu/dist',
      argocd: { namespace: 'gitops', project: 'backend', server: 'https://eu.example.com' },
      flux: { namespace: 'flux', sourceName: 'gitops', interval: '5m' },
    };
    const { delivery } = renderEnvironment(configFrom(data, 'eu'));
    const [app, migration, rollout] = delivery as any[];
    expect(app.metadata).toMatchObject({ name: 'reviewpoint-backend-eu', namespace: 'gitops' });
    expect(app.spec).toMatchObject({
      project: 'backend',
      source: { repoURL: 'git@github.com:acme/gitops.git', targetRevision: 'release', path: 'clusters/eu/dist/eu' },
      destination: { server: 'https://eu.example.com', namespace: 'rp-test' },
    });
    expect(migration.metadata).toEqual({ name: 'reviewpoint-backend-eu-migration', namespace: 'flux' });
    expect(migration.spec).toMatchObject({
      path: './clusters/eu/dist/eu/migration',
      interval: '5m',
      sourceRef: { kind: 'GitRepository', name: 'gitops' },
      wait: true,
    });
    expect(migration.spec.force).toBeUndefined();
    expect(rollout.spec).toMatchObject({
      path: './clusters/eu/dist/eu/app',
      dependsOn: [{ name: 'reviewpoint-backend-eu-migration' }],
      wait: true,
    });
  });

  test('give Flux a timeout a minute above the Job deadline and the rollout deadline', () => {
    const data = { ...minimalConfig() } as Record<string, any>;
    data.migration.activeDeadlineSeconds = 900;
    data.app.progressDeadlineSeconds = 300;
    const [, migration, rollout] = renderEnvironment(configFrom(data)).delivery as any[];
    expect([migration.spec.timeout, rollout.spec.timeout]).toEqual(['16m', '6m']);
  });

  test('size the app timeout to every rollout step: the deadline is per step without progress', () => {
    // GIVEN up to 5 pods, replaced one per step (maxSurge 1, maxUnavailable 0)
    const data = { ...minimalConfig() } as Record<string, any>;
    delete data.app.replicas;
    data.app.autoscaling = { minReplicas: 2, maxReplicas: 5 };
    data.app.rollingUpdate = { maxSurge: 1, maxUnavailable: 0 };
    data.app.progressDeadlineSeconds = 300;
    data.database.maxConnections = 200;
    data.migration.backoffLimit = 2;
    data.migration.activeDeadlineSeconds = 600;
    const [, migration, rollout] = renderEnvironment(configFrom(data)).delivery as any[];
    // THEN 5 x 300 s + 1 min for the app; the Job's deadline covers all its attempts: 10 + 1 min
    expect([migration.spec.timeout, rollout.spec.timeout]).toEqual(['11m', '26m']);
  });

  test('retry a failed reconcile sooner than the interval, and impersonate the configured ServiceAccount', () => {
    const data = { ...minimalConfig() } as Record<string, any>;
    const plain = renderEnvironment(configFrom(data)).delivery as any[];
    expect(plain[1].spec).toMatchObject({ retryInterval: '2m' });
    expect(plain[1].spec.serviceAccountName).toBeUndefined();
    data.delivery = { flux: { serviceAccountName: 'reviewpoint-deployer' } };
    const [, migration, rollout] = renderEnvironment(configFrom(data)).delivery as any[];
    expect([migration.spec.serviceAccountName, rollout.spec.serviceAccountName]).toEqual([
      'reviewpoint-deployer',
      'reviewpoint-deployer',
    ]);
  });

  test('fails when delivery.flux.serviceAccountName is no DNS-1123 subdomain', () => {
    const data = { ...minimalConfig() } as Record<string, any>;
    data.delivery = { flux: { serviceAccountName: 'Deployer_SA' } };
    expect(() => configFrom(data)).toThrow(
      /field delivery\.flux\.serviceAccountName: got string "Deployer_SA"; allowed: a DNS-1123 subdomain/,
    );
  });

  test('label the Application with the recommended labels', () => {
    const [app] = renderEnvironment(configFrom(minimalConfig(), 'eu')).delivery as any[];
    expect(app.metadata.labels).toEqual({
      'app.kubernetes.io/name': 'reviewpoint-backend',
      'app.kubernetes.io/instance': 'reviewpoint-backend-eu',
      'app.kubernetes.io/part-of': 'reviewpoint',
      'app.kubernetes.io/managed-by': 'cdk8s',
    });
  });
});

describe.each(ENVIRONMENTS)('the %s delivery objects', (env) => {
  test('are valid for the Argo CD and Flux CRD schemas, as the synth checks them and as the CRD models do', () => {
    for (const o of rendered(env).delivery) {
      expect(validateSchema(o)).toEqual([]);
      expect(validateWithCrdModels(o)).toEqual([]);
    }
  });
});

describe('the synth gate', () => {
  test('fails when a delivery object breaks its CRD schema', () => {
    const config = prodLike();
    const r = renderEnvironment(config);
    const broken = {
      ...r,
      delivery: r.delivery.map((o) =>
        o.kind === 'Kustomization' ? { ...o, spec: { ...(o as any).spec, dependOn: [] } } : o,
      ),
    };
    expect(() => verifyDelivery(config, broken)).toThrow(
      /schema check failed in environment "prod".*\n.*Kustomization\/reviewpoint-backend-prod-migration: \[schema\] unknown field spec\.dependOn/,
    );
  });

  test('fails when the output would not come up, naming the rule', () => {
    const config = prodLike();
    const r = renderEnvironment(config);
    const files = breakFile(r, /namespace-reviewpoint-prod/, (o) => {
      o.metadata.namespace = 'x';
    });
    expect(() => verifyDelivery(config, { ...r, files })).toThrow(
      /delivery check failed in environment "prod" \(1 violation\):\n  Namespace\/reviewpoint-prod: \[cluster-scoped\]/,
    );
  });
});

describe('the Argo CD model', () => {
  const objects = () => structuredClone(kustomize(fixture('prod').files, ''));

  test('creates the Namespace before PreSync hooks, as gitops-engine does', () => {
    const list = objects();
    const job = list.find((o) => o.kind === 'Job')!;
    job.metadata!.annotations!['argocd.argoproj.io/hook'] = 'PreSync';
    const steps = argoCdPlan(list).steps;
    expect(steps[0].name).toBe('namespaces first');
    expect(steps[1].name).toBe('PreSync wave -1');
  });

  test('reads a Helm pre-install hook as PreSync when no Argo CD hook is set', () => {
    const list = objects();
    const job = list.find((o) => o.kind === 'Job')!;
    const annotations = job.metadata!.annotations!;
    delete annotations['argocd.argoproj.io/hook'];
    annotations['helm.sh/hook'] = 'pre-install,pre-upgrade';
    expect(argoCdPlan(list).steps.find((s) => s.objects.includes(job))!.name).toBe('PreSync wave -1');
  });
});

describe('an Argo CD self-heal', () => {
  const objects = () => structuredClone(kustomize(fixture('prod').files, ''));

  test('applies the drifted objects alone and no hook: drift of a wave -2 object does not re-run the migration', () => {
    // GIVEN the egress policy (wave -2, which the migration follows on a full sync) and the Job drifted
    const list = objects();
    const drifted = (o: any) => o.metadata.name === 'reviewpoint-backend-egress' || o.kind === 'Job';
    // WHEN Argo CD self-heals
    const heal = argoCdSelfHeal(list, drifted);
    // THEN it re-applies the policy, and the migration hook does not run; a full sync runs it
    expect(heal.steps.map((s) => [s.name, names(s.objects)])).toEqual([
      ['Sync wave -2', ['NetworkPolicy/reviewpoint-backend-egress']],
    ]);
    expect(names(argoCdPlan(list).steps.flatMap((s) => s.objects))).toContainEqual(expect.stringMatching(/^Job\//));
  });
});

describe('a failed migration', () => {
  test('keeps what was applied before it, the same under every engine: it reaches the running app', () => {
    // GIVEN the store fixture, whose Secret an ExternalSecret creates
    const r = fixture('store');
    const job = kustomize(r.files, '').find((o) => o.kind === 'Job')!;
    // WHEN the Job fails THEN every engine has applied the same objects before or with it
    const kept = plans(r.files, 'dist/store').map((p) => names(appliedBeforeFailure(p, job)).sort());
    expect(kept[0]).toEqual([
      'ExternalSecret/reviewpoint-backend',
      'Namespace/reviewpoint-store',
      'NetworkPolicy/default-deny',
      'NetworkPolicy/reviewpoint-backend-egress',
      'NetworkPolicy/reviewpoint-backend-ingress',
      'ServiceAccount/reviewpoint-backend-migration',
    ]);
    expect(kept).toEqual([kept[0], kept[0], kept[0]]);
  });
});

describe("the ExternalSecret's Secret", () => {
  const r = fixture('store');
  const es = kustomize(r.files, '').find((o) => o.kind === 'ExternalSecret')!;

  test('exists before the Job under Argo CD, which waits for the ExternalSecret in wave -2', () => {
    const plan = argoCdPlan(kustomize(r.files, ''));
    const at = (name: string) => plan.steps.findIndex((s) => s.name === name);
    expect(providedBefore(plan, at('Sync wave -2'), es, at('Sync wave -1'))).toBe(true);
  });

  test('is not guaranteed before the Job under Flux, nor before the app: kstatus calls a fresh ExternalSecret Current', () => {
    const plan = fluxPlan(r.files, objectsIn(r.files, 'delivery/flux'), 'dist/store');
    // the same batch as the Job, and the migration stage's wait does not cover it
    expect(names(plan.steps[0].objects)).toEqual(expect.arrayContaining(['ExternalSecret/reviewpoint-backend']));
    expect(plan.steps[0].waitsFor(es)).toBe(false);
    expect(providedBefore(plan, 0, es, 0)).toBe(false);
    expect(providedBefore(plan, 0, es, 1)).toBe(false);
  });
});

describe('the Argo CD Application of an environment with an ExternalSecret', () => {
  test('ignores the fields External Secrets defaults in its list items, so self-heal does not loop on them', () => {
    const [staging] = renderEnvironment(fixtureConfig('staging')).delivery as any[];
    expect(staging.spec.ignoreDifferences).toEqual([
      {
        group: 'external-secrets.io',
        kind: 'ExternalSecret',
        jqPathExpressions: expect.arrayContaining(['.spec.data[]?.remoteRef.conversionStrategy']),
      },
    ]);
    const [prod] = renderEnvironment(prodLike()).delivery as any[];
    expect(prod.spec.ignoreDifferences).toBeUndefined();
  });
});
