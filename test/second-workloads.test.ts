import * as fs from 'node:fs';
import { readYaml, toYaml } from '../lib/yaml';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { validateApiServer } from '../lib/api-server';
import { checkRenderedDelivery, declaredPrerequisites } from '../lib/delivery';
import { argoCdPlan, fluxPlan, kustomize, objectsIn } from '../lib/delivery/model';
import { checkDelivery } from '../lib/delivery/rules';
import { labelSelectorMatches } from '../lib/label-selector';
import { checkPolicy, type Manifest } from '../lib/policy';
import { renderEnvironment, synthesizeObjects } from '../lib/render';
import { diffTrees } from '../lib/review/diff';
import { risksOf } from '../lib/review/risks';
import { verifyManifests } from '../lib/verify';
import { main, type Output } from '../main';
import { setImage } from '../io/set-image';
import {
  configFrom,
  DIGEST_A,
  DIGEST_B,
  expectConfigError as expectError,
  minimalConfig,
  productionConfig,
  scratchDir,
} from './helpers';

const PYTHON = '/app/.venv/bin/python';
const DIGEST_C = `sha256:${'c'.repeat(64)}`;

/** a worker of the app's image with what it must have */
const worker = (more: Record<string, any> = {}) => ({
  command: [PYTHON, '-m', 'src.worker'],
  healthCommand: [PYTHON, '-m', 'src.worker.health'],
  ...more,
});
/** a nightly cron job of the app's image */
const cronJob = (more: Record<string, any> = {}) => ({
  schedule: '30 2 * * *',
  command: [PYTHON, '-m', 'src.jobs.nightly'],
  ...more,
});

/** a production-shaped environment "prod" with a worker and a nightly cron job */
function withWorkloads(): Record<string, any> {
  const c = productionConfig();
  c.namespace = 'reviewpoint-prod';
  c.database.maxConnections = 200;
  c.workers = { mailer: worker({ replicas: 2, podDisruptionBudget: { maxUnavailable: 1 } }) };
  c.cronJobs = { nightly: cronJob() };
  return c;
}

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));
const named = (objects: readonly any[], kind: string, name: string) =>
  objects.find((o) => o.kind === kind && o.metadata.name === name);

describe('workers and cron jobs in the config', () => {
  test('a cron job runs one at a time by default, with a deadline, no retry and a short history', () => {
    // GIVEN a cron job with a schedule and a command only
    const c = minimalConfig();
    c.cronJobs = { nightly: cronJob() };
    // WHEN synthesized
    const cron = named(synthesizeObjects(configFrom(c)), 'CronJob', 'reviewpoint-backend-cron-nightly');
    // THEN the defaults are written out
    expect(cron.spec).toMatchObject({
      schedule: '30 2 * * *',
      concurrencyPolicy: 'Forbid',
      startingDeadlineSeconds: 300,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 1,
      jobTemplate: { spec: { backoffLimit: 0, activeDeadlineSeconds: 3600 } },
    });
    expect(cron.spec.timeZone).toBeUndefined();
  });

  test('a worker has one replica and no budget by default, and maxUnavailable 1 under an autoscaler', () => {
    // GIVEN one worker with a fixed count, one with an autoscaler, neither with a budget
    const c = minimalConfig();
    c.workers = { a: worker(), b: worker({ autoscaling: { minReplicas: 1, maxReplicas: 2 } }) };
    c.database.maxConnections = 200;
    // WHEN parsed and synthesized
    const config = configFrom(c);
    const objects = synthesizeObjects(config);
    // THEN
    expect(config.workers.a.podDisruptionBudget).toBeUndefined();
    expect(config.workers.b.podDisruptionBudget).toEqual({ maxUnavailable: 1 });
    expect(named(objects, 'Deployment', 'reviewpoint-backend-worker-a').spec.replicas).toBe(1);
    expect(named(objects, 'PodDisruptionBudget', 'reviewpoint-backend-worker-a')).toBeUndefined();
    expect(named(objects, 'HorizontalPodAutoscaler', 'reviewpoint-backend-worker-b').spec.maxReplicas).toBe(2);
  });

  test('a worker without backendEnv opens no database connection: it is not counted in the budget', () => {
    // GIVEN 100 connections, the app's 2 pods x 15 and a worker of 6 pods that does not connect
    const c = minimalConfig();
    c.workers = { resize: worker({ replicas: 6, backendEnv: false }) };
    // WHEN parsed THEN accepted: (1 + 1 + 1 terminating) x 15 + 1 migration + 3 reserved = 49
    expect(() => configFrom(c)).not.toThrow();
  });

  test("a worker's variable of the same name as one of settings.extraEnv overrides it in its pods alone", () => {
    // GIVEN a batch size for every pod, and another for the worker
    const c = minimalConfig();
    c.settings.extraEnv = { MAILER_BATCH: '10' };
    c.workers = { mailer: worker({ env: { MAILER_BATCH: '50' } }) };
    // WHEN synthesized
    const objects = synthesizeObjects(configFrom(c));
    // THEN the ConfigMap keeps the shared value and the worker's env (which wins over envFrom) its own
    expect(named(objects, 'ConfigMap', 'reviewpoint-backend').data.MAILER_BATCH).toBe('10');
    const container = named(objects, 'Deployment', 'reviewpoint-backend-worker-mailer').spec.template.spec
      .containers[0];
    expect(container.env).toContainEqual({ name: 'MAILER_BATCH', value: '50' });
    expect(container.envFrom).toEqual([{ configMapRef: { name: 'reviewpoint-backend' } }]);
  });

  test('fails when the workers and cron jobs overrun the connection budget, each named with its pods', () => {
    expectError(
      minimalConfig,
      (c) => {
        c.workers = { mailer: worker({ replicas: 2 }) };
        c.cronJobs = { nightly: cronJob(), sweep: cronJob({ concurrencyPolicy: 'Replace' }) };
      },
      /database\.maxConnections: got 100, but \(1 max replicas \+ 1 surge \+ 1 terminating \+ 4 worker mailer \+ 1 cron job nightly \(Forbid\) \+ 2 cron job sweep \(Replace\)\) x 15 connections per pod \(settings\.environment "dev"\) \+ 1 migration Job \+ 3 reserved \(database\.reservedConnections\) = 154; allowed: maxConnections >= 154/,
    );
  });

  test('fails when a cron job under Allow could overlap with itself until its deadline', () => {
    // GIVEN runs that may overlap, each for up to 10 minutes: 11 at once, one a minute
    expectError(
      minimalConfig,
      (c) => {
        c.cronJobs = { sync: cronJob({ concurrencyPolicy: 'Allow', activeDeadlineSeconds: 600 }) };
      },
      /\(1 max replicas \+ 1 surge \+ 1 terminating \+ 11 cron job sync \(Allow\)\) x 15 connections per pod .* = 214/,
    );
  });

  test.each([
    [
      'a worker name is not a DNS label',
      (c: any) => (c.workers = { Mail_er: worker() }),
      /workers\.Mail_er: got key string "Mail_er"; allowed: a DNS-1123 label/,
    ],
    [
      'a worker is named as a key every JavaScript object inherits',
      (c: any) => (c.workers = { constructor: worker() }),
      /workers\.constructor: got key "constructor", a name every JavaScript object inherits/,
    ],
    [
      "a worker name makes the Deployment's name longer than a DNS label",
      (c: any) => (c.workers = { ['w'.repeat(37)]: worker() }),
      /workers\.w{37}: got a name of 37 characters \(its Deployment would be reviewpoint-backend-worker-w{37}\); allowed: at most 36/,
    ],
    [
      'a cron job name leaves no room for the names of its Jobs',
      (c: any) => (c.cronJobs = { ['n'.repeat(28)]: cronJob() }),
      /cronJobs\.n{28}: got a name of 28 characters \(its CronJob would be reviewpoint-backend-cron-n{28}\); allowed: at most 27/,
    ],
    [
      'a worker has no health command',
      (c: any) => (c.workers = { mailer: { command: ['x'] } }),
      /workers\.mailer\.healthCommand: missing/,
    ],
    [
      'a worker key is misspelt',
      (c: any) => (c.workers = { mailer: worker({ replica: 2 }) }),
      /workers\.mailer\.replica: unknown key "replica" \(did you mean "replicas"\?\); allowed keys here: image, command/,
    ],
    [
      'a worker has replicas and autoscaling',
      (c: any) => (c.workers = { mailer: worker({ replicas: 2, autoscaling: { minReplicas: 1, maxReplicas: 2 } }) }),
      /workers\.mailer\.replicas: got 2 together with workers\.mailer\.autoscaling; allowed: one of them/,
    ],
    [
      "a worker's autoscaler has min above max",
      (c: any) => (c.workers = { mailer: worker({ autoscaling: { minReplicas: 3, maxReplicas: 2 } }) }),
      /workers\.mailer\.autoscaling\.minReplicas: got 3, above maxReplicas 2/,
    ],
    [
      "a worker's budget blocks every eviction",
      (c: any) => (c.workers = { mailer: worker({ replicas: 2, podDisruptionBudget: { minAvailable: 2 } }) }),
      /workers\.mailer\.podDisruptionBudget\.minAvailable: got 2 with 2 replica\(s\) at the minimum: no pod could ever be evicted/,
    ],
    [
      "a worker's budget gives both minAvailable and maxUnavailable",
      (c: any) => (c.workers = { mailer: worker({ podDisruptionBudget: { minAvailable: 1, maxUnavailable: 1 } }) }),
      /workers\.mailer\.podDisruptionBudget: got \{"minAvailable":1,"maxUnavailable":1\}; allowed: exactly one/,
    ],
    [
      "a worker's request is above its limit",
      (c: any) => (c.workers = { mailer: worker({ resources: { memoryRequest: '1Gi', memoryLimit: '512Mi' } }) }),
      /workers\.mailer\.resources\.memoryRequest: got "1Gi", above memoryLimit "512Mi"/,
    ],
    [
      'a worker sets a secret-looking variable literally',
      (c: any) => (c.workers = { mailer: worker({ env: { SMTP_PASSWORD: 'hunter2' } }) }),
      /workers\.mailer\.env\.SMTP_PASSWORD: got a literal value for a secret-looking name \(SMTP_PASSWORD\); allowed: secrets only by reference \(valueFrom\.secretKeyRef in app\.env\) from a Secret such as "backend-secrets"/,
    ],
    [
      'a cron job sets a variable the manifests set themselves',
      (c: any) => (c.cronJobs = { nightly: cronJob({ env: { REVIEWPOINT_LOG_LEVEL: 'DEBUG' } }) }),
      /cronJobs\.nightly\.env\.REVIEWPOINT_LOG_LEVEL: got REVIEWPOINT_LOG_LEVEL, which the manifests set themselves/,
    ],
    [
      'a worker sets a managed variable in another spelling',
      (c: any) => (c.workers = { mailer: worker({ env: { reviewpoint_log_level: 'DEBUG' } }) }),
      /workers\.mailer\.env\.reviewpoint_log_level: got reviewpoint_log_level, which the manifests set themselves \(the backend reads names in any case\)/,
    ],
    [
      "a worker sets another spelling of one of settings.extraEnv's variables",
      (c: any) => {
        c.settings.extraEnv = { MAILER_BATCH: '10' };
        c.workers = { mailer: worker({ env: { Mailer_Batch: '50' } }) };
      },
      /workers\.mailer\.env\.Mailer_Batch: got MAILER_BATCH and Mailer_Batch \(with settings\.extraEnv\): one setting to the backend/,
    ],
    [
      'a cron job points the dynamic loader at a library',
      (c: any) => (c.cronJobs = { nightly: cronJob({ env: { LD_PRELOAD: '/tmp/x.so' } }) }),
      /cronJobs\.nightly\.env\.LD_PRELOAD: got "\/tmp\/x\.so": it makes the process load code from a path/,
    ],
    [
      "a worker's command carries a credential",
      (c: any) => (c.workers = { mailer: worker({ args: ['--smtp-url', 'smtp://mailer:s3cret@smtp.example.com'] }) }),
      /workers\.mailer\.args: got a credential in plain text/,
    ],
    [
      "a worker's image is tagged latest",
      (c: any) => (c.workers = { mailer: worker({ image: { repository: 'ghcr.io/acme/mailer', tag: 'latest' } }) }),
      /workers\.mailer\.image\.tag: got string "latest"/,
    ],
    [
      "a cron job's image has neither tag nor digest",
      (c: any) => (c.cronJobs = { nightly: cronJob({ image: { repository: 'ghcr.io/acme/nightly' } }) }),
      /cronJobs\.nightly\.image: got ghcr\.io\/acme\/nightly with neither tag nor digest/,
    ],
    [
      'a cron job schedule has six fields',
      (c: any) => (c.cronJobs = { nightly: cronJob({ schedule: '0 30 2 * * *' }) }),
      /cronJobs\.nightly\.schedule: got string "0 30 2 \* \* \*"; allowed: five cron fields such as "30 2 \* \* \*", or a macro/,
    ],
    [
      'a cron job schedule carries its time zone',
      (c: any) => (c.cronJobs = { nightly: cronJob({ schedule: 'CRON_TZ=Europe/Berlin 30 2 * * *' }) }),
      /cronJobs\.nightly\.schedule: got string "CRON_TZ=Europe\/Berlin 30 2 \* \* \*"; allowed: .*no TZ= prefix: use timeZone/,
    ],
    [
      'a cron job time zone is not an IANA name',
      (c: any) => (c.cronJobs = { nightly: cronJob({ timeZone: 'Local' }) }),
      /cronJobs\.nightly\.timeZone: got string "Local"; allowed: an IANA time zone/,
    ],
    [
      'a cron job concurrency policy is unknown',
      (c: any) => (c.cronJobs = { nightly: cronJob({ concurrencyPolicy: 'Never' }) }),
      /cronJobs\.nightly\.concurrencyPolicy: got string "Never"; allowed: one of "Forbid", "Replace", "Allow"/,
    ],
    [
      'a cron job retries more than ten times',
      (c: any) => (c.cronJobs = { nightly: cronJob({ backoffLimit: 11 }) }),
      /cronJobs\.nightly\.backoffLimit: got number 11; allowed: <= 10/,
    ],
    [
      'a worker with the backend settings comes with an init-container migration',
      (c: any) => {
        c.migration.strategy = 'initContainer';
        c.workers = { mailer: worker() };
      },
      /workers\.mailer\.backendEnv: got true with migration\.strategy "initContainer": the migration runs in the app's pods only/,
    ],
  ])('fails when %s', (_what, edit, message) => {
    expectError(minimalConfig, edit, message);
  });

  test.each([
    ['workers', 'command', []],
    ['workers', 'healthPeriodSeconds', 4],
    ['workers', 'terminationGracePeriodSeconds', 0],
    ['workers', 'runAsUser', 0],
    ['cronJobs', 'runAsGroup', 0],
    ['cronJobs', 'startingDeadlineSeconds', 9],
    ['cronJobs', 'activeDeadlineSeconds', 0],
    ['cronJobs', 'successfulJobsHistoryLimit', 101],
    ['cronJobs', 'failedJobsHistoryLimit', -1],
  ])('fails when %s.<name>.%s is %j, out of its bounds', (section, field, value) => {
    expectError(
      minimalConfig,
      (c) => {
        c[section] = { x: { ...(section === 'workers' ? worker() : cronJob()), [field]: value } };
      },
      new RegExp(`${section}\\.x\\.${field}: got (a list \\[\\]|number ${value}); allowed: (items )?[<>]=`),
    );
  });

  test.each([
    [
      'a production worker has one replica',
      (c: any) => (c.workers = { mailer: worker({ podDisruptionBudget: { maxUnavailable: 1 } }) }),
      /workers\.mailer\.replicas: got 1 in a production environment; allowed: 2 or more/,
    ],
    [
      'a production worker has no budget',
      (c: any) => (c.workers = { mailer: worker({ replicas: 2 }) }),
      /workers\.mailer\.podDisruptionBudget: missing in a production environment/,
    ],
    [
      "a production worker's own image has no digest",
      (c: any) =>
        (c.workers = {
          mailer: worker({
            replicas: 2,
            podDisruptionBudget: { maxUnavailable: 1 },
            image: { repository: 'ghcr.io/acme/mailer', tag: '1.0.0' },
          }),
        }),
      /workers\.mailer\.image\.digest: missing in a production environment \(tag "1\.0\.0"\)/,
    ],
    [
      "a production cron job's own image has no digest",
      (c: any) => (c.cronJobs = { nightly: cronJob({ image: { repository: 'ghcr.io/acme/nightly', tag: '2' } }) }),
      /cronJobs\.nightly\.image\.digest: missing in a production environment/,
    ],
    [
      'a production cron job turns debug on',
      (c: any) => (c.cronJobs = { nightly: cronJob({ env: { REVIEWPOINT_DEBUG: 'true' } }) }),
      /cronJobs\.nightly\.env\.REVIEWPOINT_DEBUG: got "true" in a production environment: debug mode is on unless pydantic reads it as false; allowed: unset, or false/,
    ],
  ])('fails when %s', (_what, edit, message) => {
    expectError(productionConfig, edit, message);
  });
});

describe('a production environment with a worker and a cron job', () => {
  const config = configFrom(withWorkloads(), 'prod');
  const rendered = renderEnvironment(config);
  const objects: any[] = rendered.objects as any[];
  const mailer = named(objects, 'Deployment', 'reviewpoint-backend-worker-mailer');
  const nightly = named(objects, 'CronJob', 'reviewpoint-backend-cron-nightly');
  const podLabels = [mailer.spec.template.metadata.labels, nightly.spec.jobTemplate.spec.template.metadata.labels];

  test('passes every gate: schema, API server, policy and delivery', () => {
    expect(() => verifyManifests(objects, { environment: 'prod', production: true })).not.toThrow();
    expect(checkRenderedDelivery(config, rendered)).toEqual([]);
  });

  test('runs both from the app image, with its settings and its Secret, as its own ServiceAccount', () => {
    const app = named(objects, 'Deployment', 'reviewpoint-backend').spec.template.spec.containers[0];
    for (const [pod, account] of [
      [mailer.spec.template.spec, 'reviewpoint-backend-worker-mailer'],
      [nightly.spec.jobTemplate.spec.template.spec, 'reviewpoint-backend-cron-nightly'],
    ]) {
      expect(pod.serviceAccountName).toBe(account);
      expect(named(objects, 'ServiceAccount', account).automountServiceAccountToken).toBe(false);
      expect(pod.containers[0]).toMatchObject({ image: app.image, envFrom: app.envFrom, env: app.env });
      expect(pod.securityContext).toEqual(
        named(objects, 'Deployment', 'reviewpoint-backend').spec.template.spec.securityContext,
      );
      expect(pod.containers[0].securityContext).toEqual(app.securityContext);
    }
  });

  test('the egress policy selects them; no policy that lets anything in does', () => {
    const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
    const selecting = (labels: Record<string, string>) =>
      policies.filter((p) => labelSelectorMatches(p.spec.podSelector, labels)).map((p) => p.metadata.name);
    for (const labels of podLabels) {
      expect(selecting(labels).sort()).toEqual(['default-deny', 'reviewpoint-backend-egress']);
    }
  });

  test("the app's Service, PDB and autoscaler select none of their pods", () => {
    const service = named(objects, 'Service', 'reviewpoint-backend');
    const pdb = named(objects, 'PodDisruptionBudget', 'reviewpoint-backend');
    for (const labels of podLabels) {
      expect(labelSelectorMatches({ matchLabels: service.spec.selector }, labels)).toBe(false);
      expect(labelSelectorMatches(pdb.spec.selector, labels)).toBe(false);
    }
  });

  test('the README lists them: images, security, resources, scaling and the schedule', () => {
    const readme = rendered.files.get('README.md')!;
    expect(readme).toContain(
      '| Deployment `reviewpoint-backend-worker-mailer` | `worker` | `ghcr.io/acme/backend:1.0.0` |',
    );
    expect(readme).toContain('| CronJob `reviewpoint-backend-cron-nightly` | `job` | `ghcr.io/acme/backend:1.0.0` |');
    expect(readme).toContain(
      '| CronJob `reviewpoint-backend-cron-nightly`, `job` | 65532:65532 | yes | yes | no | ALL |',
    );
    expect(readme).toContain(
      'Worker `reviewpoint-backend-worker-mailer`: Replicas: 2, fixed. PodDisruptionBudget: maxUnavailable 1.',
    );
    expect(readme).toContain(
      "CronJob `reviewpoint-backend-cron-nightly`: `30 2 * * *` (the controller's time zone), concurrency `Forbid`, each run at most 3600 s and 1 attempt.",
    );
    expect(readme).toContain(
      "Deployment `reviewpoint-backend-worker-mailer`, CronJob `reviewpoint-backend-cron-nightly`: in the app's stage, so they too start only after the migration.",
    );
    expect(readme).toMatch(/ {2}cron_nightly\["pods of CronJob reviewpoint-backend-cron-nightly"\]/);
  });

  test('Argo CD applies them in the app wave, after the migration Job; Flux in the app stage', () => {
    const steps = argoCdPlan(kustomize(rendered.files, '')).steps;
    const stepOf = (kind: string, name: string) =>
      steps.findIndex((s) => s.objects.some((o) => o.kind === kind && o.metadata?.name === name));
    const job = steps.findIndex((s) => s.objects.some((o) => o.kind === 'Job'));
    expect(stepOf('Deployment', 'reviewpoint-backend-worker-mailer')).toBeGreaterThan(job);
    expect(stepOf('CronJob', 'reviewpoint-backend-cron-nightly')).toBeGreaterThan(job);
    const flux = fluxPlan(rendered.files, objectsIn(rendered.files, 'delivery/flux'), 'dist/prod');
    const app = flux.steps.find((s) => s.name === 'Kustomization reviewpoint-backend-prod')!;
    expect(app.objects.map((o) => `${o.kind}/${o.metadata?.name}`)).toEqual(
      expect.arrayContaining([
        'Deployment/reviewpoint-backend-worker-mailer',
        'CronJob/reviewpoint-backend-cron-nightly',
      ]),
    );
  });

  test('fails when the CronJob is applied with the migration, before its Job is complete [migration-first]', () => {
    // GIVEN the CronJob moved to the migration stage, in the wave before the Job's
    const files = new Map(rendered.files);
    const from = 'app/cronjob-reviewpoint-backend-cron-nightly.yaml';
    const to = 'migration/cronjob-reviewpoint-backend-cron-nightly.yaml';
    const o = readYaml(files.get(from)!) as any;
    o.metadata.annotations = { 'argocd.argoproj.io/sync-wave': '-2' };
    files.delete(from);
    files.set(to, toYaml(o));
    for (const [folder, edit] of [
      ['app', (r: string[]) => r.filter((x) => x !== path.basename(from))],
      ['migration', (r: string[]) => [...r, path.basename(to)]],
    ] as const) {
      const k = readYaml(files.get(`${folder}/kustomization.yaml`)!) as any;
      k.resources = edit(k.resources);
      files.set(`${folder}/kustomization.yaml`, toYaml(k));
    }
    // WHEN the delivery check reads it
    const violations = checkDelivery({
      environment: 'prod',
      files,
      root: 'dist/prod',
      prerequisites: declaredPrerequisites(config),
    }).filter((v) => v.rule === 'migration-first');
    // THEN under Argo CD and Flux, the CronJob would run before the schema is migrated
    expect(violations.map((v) => v.message)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^argocd: CronJob\/reviewpoint-backend-cron-nightly is applied in "Sync wave -2", which does not wait for this Job to complete/,
        ),
        expect.stringMatching(
          /^flux: CronJob\/reviewpoint-backend-cron-nightly is applied in "Kustomization reviewpoint-backend-prod-migration", which does not wait/,
        ),
      ]),
    );
  });

  test('fails when the ingress allow selects the worker, which serves nothing [network]', () => {
    // GIVEN the app's ingress policy widened to every pod of the instance
    const broken = clone(objects);
    const ingress = named(broken, 'NetworkPolicy', 'reviewpoint-backend-ingress');
    delete ingress.spec.podSelector.matchLabels['app.kubernetes.io/component'];
    // WHEN the policy runs THEN the worker and the CronJob are named (and the migration Job)
    const messages = checkPolicy(broken as Manifest[], { environment: 'prod', production: true })
      .filter((v) => v.rule === 'network')
      .map((v) => `${v.object}: ${v.message}`);
    expect(messages).toEqual([
      expect.stringMatching(/to the pods of Job\/reviewpoint-backend-migrate-[0-9a-f]{10}, which declare no such port/),
      'NetworkPolicy/reviewpoint-backend-ingress: ingress[0] admits TCP 8000 to the pods of Deployment/reviewpoint-backend-worker-mailer, which declare no such port: nothing may reach them',
      'NetworkPolicy/reviewpoint-backend-ingress: ingress[0] admits TCP 8000 to the pods of CronJob/reviewpoint-backend-cron-nightly, which declare no such port: nothing may reach them',
    ]);
  });

  test('fails when the CronJob leaves its runs unbounded [job-bounds]', () => {
    // GIVEN no deadline for a run and no history limits
    const broken = clone(objects);
    const cron = named(broken, 'CronJob', 'reviewpoint-backend-cron-nightly');
    delete cron.spec.jobTemplate.spec.activeDeadlineSeconds;
    delete cron.spec.successfulJobsHistoryLimit;
    // WHEN the policy runs THEN
    expect(
      checkPolicy(broken as Manifest[], { environment: 'prod', production: true }).filter(
        (v) => v.rule === 'job-bounds',
      ),
    ).toEqual([
      {
        rule: 'job-bounds',
        object: 'CronJob/reviewpoint-backend-cron-nightly',
        message:
          'must set jobTemplate.spec.activeDeadlineSeconds, successfulJobsHistoryLimit: an unbounded run can hang or retry until the next one is due',
      },
    ]);
  });

  test("fails when the CronJob's pods turn auth off in production [backend-settings]", () => {
    // GIVEN a spelling of the auth switch written into the CronJob's container by hand
    const broken = clone(objects);
    const cron = named(broken, 'CronJob', 'reviewpoint-backend-cron-nightly');
    cron.spec.jobTemplate.spec.template.spec.containers[0].env.push({ name: 'reviewpoint_auth_enabled', value: 'no' });
    // WHEN the policy runs THEN the gate reads it as the backend does
    expect(
      checkPolicy(broken as Manifest[], { environment: 'prod', production: true })
        .filter((v) => v.rule === 'backend-settings')
        .map((v) => `${v.object} ${v.container}: ${v.message}`),
    ).toEqual([
      expect.stringMatching(
        /^CronJob\/reviewpoint-backend-cron-nightly job: env reviewpoint_auth_enabled .* is "no" in a production environment/,
      ),
    ]);
  });

  test('fails when the CronJob name leaves no room for its Jobs [api-name]', () => {
    const cron = clone(nightly);
    cron.metadata.name = 'c'.repeat(53);
    expect(validateApiServer(cron).map((v) => v.message)).toEqual([
      expect.stringMatching(/a name of at most 52 characters: its Jobs add 11/),
    ]);
  });
});

describe('npm run diff on workers and cron jobs', () => {
  const filesOf = (data: Record<string, any>) => renderEnvironment(configFrom(data, 'prod')).files;
  const risks = (edit: (c: Record<string, any>) => void, kind: string) => {
    const before = withWorkloads();
    const after = clone(before);
    edit(after);
    const changes = diffTrees(new Map([['prod', filesOf(before)]]), new Map([['prod', filesOf(after)]]))[0].objects;
    return risksOf(changes)
      .filter((r) => r.kind === kind)
      .map((r) => `${r.object}: ${r.message}`);
  };

  test('flags a schedule that changes', () => {
    expect(
      risks((c) => {
        c.cronJobs.nightly.schedule = '*/5 * * * *';
        c.cronJobs.nightly.timeZone = 'Europe/Berlin';
      }, 'schedule'),
    ).toEqual([
      'CronJob/reviewpoint-backend-cron-nightly: spec.schedule: 30 2 * * * -> */5 * * * *',
      'CronJob/reviewpoint-backend-cron-nightly: spec.timeZone: (none) -> Europe/Berlin',
    ]);
  });

  test('flags a new cron job, and its image without a digest', () => {
    expect(
      risks((c) => {
        c.production = false;
        c.cronJobs.sweep = cronJob({ image: { repository: 'ghcr.io/acme/sweeper', tag: '1.0.0' } });
      }, 'schedule'),
    ).toEqual(['CronJob/reviewpoint-backend-cron-sweep: new CronJob: it will run "30 2 * * *", concurrency Forbid']);
    expect(
      risks((c) => {
        c.production = false;
        c.cronJobs.sweep = cronJob({ image: { repository: 'ghcr.io/acme/sweeper', tag: '1.0.0' } });
      }, 'digest'),
    ).toEqual([
      'CronJob/reviewpoint-backend-cron-sweep: ghcr.io/acme/sweeper:1.0.0: no digest, so what runs is whatever the tag points at when a node pulls it',
    ]);
  });

  test("flags a worker's replicas", () => {
    expect(risks((c) => (c.workers.mailer.replicas = 3), 'availability')).toEqual([
      'Deployment/reviewpoint-backend-worker-mailer: replicas 2 -> 3',
    ]);
  });
});

describe('npm run set-image with workers and cron jobs', () => {
  let configDir: string;
  let outDir: string;
  const lines: string[] = [];
  const out: Output = { log: (l) => lines.push(l), error: (l) => lines.push(l) };
  const run = (...argv: string[]) => setImage([...argv, '--config', configDir, '--out', outDir], out);
  const objectsOf = () => {
    const files = new Map<string, string>();
    const root = path.join(outDir, 'prod');
    for (const f of fs.readdirSync(root, { recursive: true }) as string[])
      if (f.endsWith('.yaml') && fs.statSync(path.join(root, f)).isFile())
        files.set(f, fs.readFileSync(path.join(root, f), 'utf8'));
    return [...files.values()].flatMap((t) => [readYaml(t) as any]);
  };
  const imageOf = (kind: string, name: string) => {
    const o = named(objectsOf(), kind, name);
    return (o.spec.template ?? o.spec.jobTemplate.spec.template).spec.containers[0].image;
  };

  beforeEach(() => {
    // GIVEN prod with a worker of the app's image, a worker and a cron job with their own
    const dir = scratchDir('set-image-workloads-');
    configDir = path.join(dir, 'config');
    outDir = path.join(dir, 'dist');
    fs.mkdirSync(configDir);
    const c = withWorkloads();
    c.workers.resize = worker({
      image: { repository: 'ghcr.io/acme/resizer', tag: '0.1.0', digest: DIGEST_C },
      replicas: 2,
      podDisruptionBudget: { maxUnavailable: 1 },
      backendEnv: false,
    });
    c.cronJobs.nightly.image = { repository: 'ghcr.io/acme/backend', tag: '0.9.0', digest: DIGEST_B };
    fs.writeFileSync(path.join(configDir, 'prod.yaml'), stringify(c));
    expect(main(['--config', configDir, '--out', outDir], {}, { log: () => {}, error: () => {} })).toBe(0);
    lines.length = 0;
  });

  test('--app moves the workers that run the app image, not those with an image of their own', () => {
    // WHEN the app is bumped
    expect(run('--env', 'prod', '--app', `ghcr.io/acme/backend:1.1.0@${DIGEST_A}`)).toBe(0);
    // THEN the app's worker follows; the other worker and the cron job keep theirs
    expect(imageOf('Deployment', 'reviewpoint-backend-worker-mailer')).toBe(`ghcr.io/acme/backend:1.1.0@${DIGEST_A}`);
    expect(imageOf('Deployment', 'reviewpoint-backend-worker-resize')).toBe(`ghcr.io/acme/resizer:0.1.0@${DIGEST_C}`);
    expect(imageOf('CronJob', 'reviewpoint-backend-cron-nightly')).toBe(`ghcr.io/acme/backend:0.9.0@${DIGEST_B}`);
  });

  test('--worker NAME=REF and --cron-job NAME=REF move an image of their own', () => {
    // WHEN both are bumped
    expect(
      run(
        '--env',
        'prod',
        '--worker',
        `resize=ghcr.io/acme/resizer:0.2.0@${DIGEST_A}`,
        '--cron-job',
        `nightly=ghcr.io/acme/backend:1.0.0@${DIGEST_A}`,
      ),
    ).toBe(0);
    // THEN each moves, and the run says so
    expect(imageOf('Deployment', 'reviewpoint-backend-worker-resize')).toBe(`ghcr.io/acme/resizer:0.2.0@${DIGEST_A}`);
    expect(imageOf('CronJob', 'reviewpoint-backend-cron-nightly')).toBe(`ghcr.io/acme/backend:1.0.0@${DIGEST_A}`);
    expect(lines.join('\n')).toMatch(
      /prod\.yaml: workers\.resize\.image ghcr\.io\/acme\/resizer:0\.1\.0@sha256:c{64} -> ghcr\.io\/acme\/resizer:0\.2\.0@sha256:a{64}/,
    );
  });

  test.each([
    [
      'the worker runs the app image',
      ['--worker', `mailer=ghcr.io/acme/backend:1.1.0@${DIGEST_A}`],
      /field workers\.mailer\.image, option --worker: workers\.mailer has no image of its own, it runs the app's; allowed: --app/,
    ],
    [
      'the worker does not exist',
      ['--worker', `resizer=ghcr.io/acme/resizer:0.2.0@${DIGEST_A}`],
      /field workers\.resizer, option --worker: no such entry; allowed: mailer, resize/,
    ],
    [
      'the value has no NAME=',
      ['--cron-job', `ghcr.io/acme/backend:1.0.0@${DIGEST_A}`],
      /option --cron-job got .*; allowed: NAME=REF/,
    ],
    [
      "the cron job's new image has no digest",
      ['--cron-job', 'nightly=ghcr.io/acme/backend:1.0.0'],
      /field cronJobs\.nightly\.image\.digest: missing in a production environment/,
    ],
  ])('fails when %s, and changes nothing', (_what, argv, message) => {
    const before = fs.readFileSync(path.join(configDir, 'prod.yaml'), 'utf8');
    expect(run('--env', 'prod', ...argv)).toBe(1);
    expect(lines.join('\n')).toMatch(message);
    expect(fs.readFileSync(path.join(configDir, 'prod.yaml'), 'utf8')).toBe(before);
  });
});
