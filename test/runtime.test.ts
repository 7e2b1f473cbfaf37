/**
 * The production runtime of the app pods: graceful shutdown, forwarded headers, ephemeral
 * storage sized to the emptyDirs, and the scheduling options.
 */
import { APP_PYTHON } from '../lib/config';
import { synthesizeObjects } from '../lib/render';
import { declaredPrerequisites } from '../lib/delivery';
import { committedConfig, configFrom, ENVIRONMENTS, minimalConfig } from './helpers';

const deployment = (objects: readonly any[]) => objects.find((o) => o.kind === 'Deployment');
const api = (objects: readonly any[]) => deployment(objects).spec.template.spec.containers[0];

describe.each(ENVIRONMENTS)('the %s Deployment', (env) => {
  const config = committedConfig(env);
  const objects = synthesizeObjects(config) as any[];

  test('keeps serving for the configured delay after the stop request, without a shell, and is killed after the configured grace period', () => {
    // GIVEN the committed config WHEN it is synthesized THEN the preStop hook runs the image's Python
    const { preStopSeconds, terminationGracePeriodSeconds, command, args } = config.app;
    expect(api(objects).lifecycle?.preStop).toEqual(
      preStopSeconds === 0
        ? undefined
        : { exec: { command: [APP_PYTHON, '-c', `import time; time.sleep(${preStopSeconds})`] } },
    );
    expect(deployment(objects).spec.template.spec.terminationGracePeriodSeconds).toBe(terminationGracePeriodSeconds);
    // and uvicorn drains as the config's command says (config.test.ts: the grace period covers both)
    expect([api(objects).command, api(objects).args ?? []]).toEqual([command, args]);
  });
});

describe('the default command', () => {
  test('outside production, with the ingress controller admitted by namespace, trusts every peer (rollouts.test.ts: production)', () => {
    const argv: string[] = api(synthesizeObjects(configFrom(minimalConfig())) as any[]).command;
    expect(argv).toContain('--proxy-headers');
    expect(argv[argv.indexOf('--forwarded-allow-ips') + 1]).toBe('*');
  });
});

describe('graceful shutdown', () => {
  test('takes the delay and the grace period from the config', () => {
    const data = minimalConfig();
    data.app.preStopSeconds = 5;
    data.app.terminationGracePeriodSeconds = 60;
    const objects = synthesizeObjects(configFrom(data)) as any[];
    expect(api(objects).lifecycle.preStop.exec.command).toEqual([
      '/app/.venv/bin/python',
      '-c',
      'import time; time.sleep(5)',
    ]);
    expect(deployment(objects).spec.template.spec.terminationGracePeriodSeconds).toBe(60);
  });

  test('leaves the hook out when the delay is 0', () => {
    const data = minimalConfig();
    data.app.preStopSeconds = 0;
    expect(api(synthesizeObjects(configFrom(data)) as any[]).lifecycle).toBeUndefined();
  });
});

/** a quantity as MiB, for the suffixes the output uses */
const mib = (q: string): number => {
  const m = /^(\d+)(Mi|Gi)$/.exec(q);
  if (!m) throw new Error(`unexpected quantity ${q}`);
  return Number(m[1]) * (m[2] === 'Gi' ? 1024 : 1);
};

describe.each(ENVIRONMENTS)('the %s pods', (env) => {
  const pods = (synthesizeObjects(committedConfig(env)) as any[])
    .filter((o) => o.kind === 'Deployment' || o.kind === 'Job')
    .map((o) => [`${o.kind}/${o.metadata.name}`, o.spec.template.spec] as const);

  test.each(pods)(
    '%s: every container requests and is limited to the emptyDirs it mounts, and room for its logs',
    (_name, spec) => {
      const sizes = new Map<string, number>(
        spec.volumes.filter((v: any) => v.emptyDir).map((v: any) => [v.name, mib(v.emptyDir.sizeLimit)]),
      );
      for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
        const mounted = c.volumeMounts.reduce((sum: number, m: any) => sum + (sizes.get(m.name) ?? 0), 0);
        expect(c.resources.requests['ephemeral-storage']).toBe(`${mounted + 64}Mi`);
        expect(c.resources.limits['ephemeral-storage']).toBe(`${mounted + 64}Mi`);
      }
    },
  );
});

describe('scheduling', () => {
  test('gives the app pods a priority class and every pod the image pull secrets, when the config names them', () => {
    const data = minimalConfig();
    data.app.priorityClassName = 'business-critical';
    data.imagePullSecrets = ['registry-credentials'];
    const objects = synthesizeObjects(configFrom(data)) as any[];
    const app = deployment(objects).spec.template.spec;
    const job = objects.find((o) => o.kind === 'Job').spec.template.spec;
    expect(app.priorityClassName).toBe('business-critical');
    expect(app.imagePullSecrets).toEqual([{ name: 'registry-credentials' }]);
    expect(job.imagePullSecrets).toEqual([{ name: 'registry-credentials' }]);
  });

  test('counts an uploads claim out of the ephemeral storage: it is a volume of its own', () => {
    const data = minimalConfig();
    data.app.uploads = { claimName: 'uploads' };
    expect(api(synthesizeObjects(configFrom(data)) as any[]).resources.limits['ephemeral-storage']).toBe('320Mi');
  });

  test('lets DNS egress through on the configured port', () => {
    const data = minimalConfig();
    data.dns = { port: 5353 };
    const egress = (synthesizeObjects(configFrom(data)) as any[]).find(
      (o) => o.metadata.name === 'reviewpoint-backend-egress',
    );
    expect(egress.spec.egress[0].ports).toEqual([
      { protocol: 'UDP', port: 5353 },
      { protocol: 'TCP', port: 5353 },
    ]);
  });

  test('puts the image pull secrets among what must exist before the first sync', () => {
    const data = minimalConfig();
    data.imagePullSecrets = ['registry-credentials'];
    expect(declaredPrerequisites(configFrom(data))).toContainEqual({
      kind: 'Secret',
      name: 'registry-credentials',
      namespace: 'rp-test',
    });
  });
});
