/**
 * What a rollout holds at its peak, and what the app and its migration do when the cluster is
 * not perfect: the connection budget, the migration's wait for the database, the proxies uvicorn
 * trusts, and probes and spreading that stay right during a rollout.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ENVIRONMENT_README } from '../lib/environment-readme';
import { renderEnvironment, synthesizeObjects } from '../lib/render';
import {
  committedConfig,
  configErrorOf as errorOf,
  configFrom,
  ENVIRONMENTS,
  expectConfigError as expectError,
  minimalConfig,
  productionConfig,
  scratchDir,
} from './helpers';

/** production-shaped: 2 to 5 pods of 30 connections, a Job migration, 200 connections */
function prodToday(): Record<string, any> {
  const c = productionConfig();
  delete c.app.replicas;
  c.app.autoscaling = { minReplicas: 2, maxReplicas: 5 };
  c.settings.environment = 'prod';
  c.database.maxConnections = 200;
  return c;
}

describe('the database connection budget', () => {
  test('fails when the server holds replicas and surge but not the terminating pod, the migration and the reserved', () => {
    // GIVEN prod as it was: (5 + 1) x 30 = 180 of 200, which the old budget accepted
    // WHEN parsed THEN the step's terminating pod, the Job's connection and the superusers' are counted
    expectError(
      prodToday,
      () => {},
      /database\.maxConnections: got 200, but \(5 max replicas \+ 1 surge \+ 1 terminating\) x 30 connections per pod \(settings\.environment "prod"\) \+ 1 migration Job \+ 3 reserved \(database\.reservedConnections\) = 214; allowed: maxConnections >= 214/,
    );
  });

  test('counts maxSurge + maxUnavailable pods terminating in one step', () => {
    // GIVEN a rollout that surges 2 and may take 1 away: a step scales down up to 3 old pods
    const error = errorOf(prodToday, (c) => {
      c.app.rollingUpdate = { maxSurge: 2, maxUnavailable: 1 };
    });
    // THEN (5 + 2 + 3) x 30 + 1 + 3
    expect(error).toMatch(/\(5 max replicas \+ 2 surge \+ 3 terminating\) x 30 .* = 304/);
  });

  test('accepts the same environment once the server holds the peak', () => {
    // GIVEN 214 connections, exactly the peak
    // WHEN parsed THEN accepted
    expect(
      errorOf(prodToday, (c) => {
        c.database.maxConnections = 214;
      }),
    ).toBe('no error');
  });

  test('counts database.reservedConnections as given', () => {
    // GIVEN a server that keeps 10 connections (superuser_reserved_connections 3 + reserved_connections 7)
    const error = errorOf(prodToday, (c) => {
      c.database.maxConnections = 214;
      c.database.reservedConnections = 10;
    });
    // THEN 214 no longer holds the peak: 210 + 1 + 10
    expect(error).toMatch(/\+ 10 reserved \(database\.reservedConnections\) = 221; allowed: maxConnections >= 221/);
  });

  test('fails when database.reservedConnections is negative', () => {
    expectError(
      minimalConfig,
      (c) => {
        c.database.reservedConnections = -1;
      },
      /database\.reservedConnections: .*-1/,
    );
  });

  test("adds no migration connection for an init container: it exits before its pod's app container starts", () => {
    // GIVEN the migration in an init container, 6 pods of 15, 100 connections
    const error = errorOf(minimalConfig, (c) => {
      c.migration.strategy = 'initContainer';
      c.migration.allowConcurrentInitContainers = true;
      c.app.replicas = 6;
    });
    // THEN (6 + 1 + 1) x 15 + 3 reserved, no migration term
    expect(error).toMatch(
      /\(6 max replicas \+ 1 surge \+ 1 terminating\) x 15 connections per pod \(settings\.environment "dev"\) \+ 3 reserved \(database\.reservedConnections\) = 123/,
    );
  });

  test.each(ENVIRONMENTS)('the committed environment %s fits its database', (env) => {
    // GIVEN the committed config WHEN loaded THEN its budget holds (loading throws otherwise)
    expect(committedConfig(env).database.maxConnections).toBeGreaterThan(0);
  });
});

const named = (objects: readonly any[], kind: string) => objects.filter((o) => o.kind === kind);
const jobOf = (c: Record<string, any>) => named(synthesizeObjects(configFrom(c)), 'Job')[0];

/**
 * Run a migration container's command as its shell would, with a stand-in pg_isready that
 * answers "accepting connections" only while `ready` is true.
 */
function runCommand(command: string[], url: string, ready: boolean) {
  const bin = scratchDir('rp-wait-');
  const stub = path.join(bin, 'pg_isready');
  fs.writeFileSync(stub, `#!/bin/sh\necho "pg_isready $*" >> "${bin}/calls"\nexit ${ready ? 0 : 2}\n`, { mode: 0o755 });
  const [file, ...args] = command;
  const started = Date.now();
  const r = spawnSync(file, args, {
    env: { PATH: `${bin}:${process.env.PATH}`, REVIEWPOINT_DB_URL: url },
    encoding: 'utf8',
    timeout: 20_000,
  });
  const calls = fs.existsSync(path.join(bin, 'calls')) ? fs.readFileSync(path.join(bin, 'calls'), 'utf8') : '';
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, calls, seconds: (Date.now() - started) / 1000 };
}

describe('the migration waits for the database and survives a blip', () => {
  test('the Job waits for the database with a bound, then runs migration.command', () => {
    // GIVEN the defaults WHEN synthesized
    const job = jobOf(minimalConfig());
    const [container] = job.spec.template.spec.containers;
    // THEN a shell waits (pg_isready) up to 120 s, then runs alembic as its arguments
    expect(container.command.slice(0, 2)).toEqual(['/bin/sh', '-c']);
    expect(container.command[2]).toMatch(/pg_isready/);
    expect(container.command[2]).toMatch(/\+ 120 \)\)/);
    expect(container.command.slice(3)).toEqual(['wait-for-database', 'alembic', 'upgrade', 'head']);
  });

  test('a migration.command of its own runs after the same wait, and 0 seconds runs it alone', () => {
    // GIVEN another command, once with the wait and once without
    const waited = minimalConfig();
    waited.migration.command = ['alembic', 'upgrade', 'heads'];
    waited.migration.waitForDatabaseSeconds = 45;
    const direct = minimalConfig();
    direct.migration.command = ['alembic', 'upgrade', 'heads'];
    direct.migration.waitForDatabaseSeconds = 0;
    // WHEN synthesized
    const w = jobOf(waited).spec.template.spec.containers[0].command;
    const d = jobOf(direct).spec.template.spec.containers[0].command;
    // THEN the wait takes its bound from the config, and 0 leaves the command as given
    expect(w[2]).toMatch(/\+ 45 \)\)/);
    expect(w.slice(3)).toEqual(['wait-for-database', 'alembic', 'upgrade', 'heads']);
    expect(d).toEqual(['alembic', 'upgrade', 'heads']);
  });

  test('the init container waits the same way', () => {
    // GIVEN the migration in an init container
    const c = minimalConfig();
    c.migration.strategy = 'initContainer';
    // WHEN synthesized
    const deployment = named(synthesizeObjects(configFrom(c)), 'Deployment')[0];
    // THEN
    expect(deployment.spec.template.spec.initContainers[0].command.slice(3)).toEqual([
      'wait-for-database',
      'alembic',
      'upgrade',
      'head',
    ]);
  });

  test('the wait reads host and port from the URL and runs the command once the database answers', () => {
    // GIVEN the default command, a URL with a password holding "@" and an IPv6 host
    const command = jobOf(minimalConfig()).spec.template.spec.containers[0].command;
    const echo = [...command.slice(0, 4), 'echo', 'migrated'];
    // WHEN run against a database that answers
    const v4 = runCommand(echo, 'postgresql+asyncpg://rp:p@ss@db.internal:5432/rp?ssl=require', true);
    const v6 = runCommand(echo, 'postgresql+asyncpg://rp:secret@[fd00::5]:6432/rp', true);
    // THEN pg_isready asked the right host and port, and the command ran
    expect(v4).toMatchObject({ status: 0, stdout: 'migrated\n' });
    expect(v4.calls).toBe('pg_isready -q -h db.internal -p 5432\n');
    expect(v6.calls).toBe('pg_isready -q -h fd00::5 -p 6432\n');
  });

  test('fails when the database never answers: after its bound, exit 1, the URL not printed', () => {
    // GIVEN a wait of 2 s against a database that never answers
    const c = minimalConfig();
    c.migration.waitForDatabaseSeconds = 2;
    const command = jobOf(c).spec.template.spec.containers[0].command;
    // WHEN run
    const r = runCommand(
      [...command.slice(0, 4), 'echo', 'migrated'],
      'postgresql+asyncpg://rp:hunter2@db:5432/rp',
      false,
    );
    // THEN it gives up within its bound, says why, never ran the command nor printed the password
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/database db:5432 not ready after 2 s/);
    expect(r.stderr).not.toMatch(/hunter2/);
    expect(r.seconds).toBeLessThan(10);
  });

  test('a pod the cluster disrupts is retried without using up backoffLimit', () => {
    // GIVEN the defaults WHEN synthesized
    const job = jobOf(minimalConfig());
    // THEN a node drain, preemption or eviction is ignored by the retry count
    expect(job.spec.backoffLimit).toBe(2);
    expect(job.spec.podFailurePolicy).toEqual({
      rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }],
    });
    expect(job.spec.template.spec.restartPolicy).toBe('Never');
  });

  test('fails when the wait is not below the Job deadline', () => {
    expectError(
      minimalConfig,
      (c) => {
        c.migration.waitForDatabaseSeconds = 600;
      },
      /migration\.waitForDatabaseSeconds: got 600, not below migration\.activeDeadlineSeconds 600: .*; allowed: less than 600/,
    );
  });

  test("fails when an init container's wait is not below the rollout's progress deadline", () => {
    expectError(
      minimalConfig,
      (c) => {
        c.migration.strategy = 'initContainer';
        c.app.progressDeadlineSeconds = 60;
        c.migration.waitForDatabaseSeconds = 90;
      },
      /migration\.waitForDatabaseSeconds: got 90, not below app\.progressDeadlineSeconds 60: .*; allowed: less than 60/,
    );
  });

  test('fails when the wait is above an hour', () => {
    expectError(
      minimalConfig,
      (c) => {
        c.migration.waitForDatabaseSeconds = 3601;
      },
      /migration\.waitForDatabaseSeconds: .*3601/,
    );
  });
});

const apiArgv = (c: Record<string, any>, env = 'test') => {
  const deployment = named(synthesizeObjects(configFrom(c, env)), 'Deployment')[0];
  const container = deployment.spec.template.spec.containers[0];
  return [...container.command, ...(container.args ?? [])];
};
const trusted = (argv: string[]) => argv[argv.indexOf('--forwarded-allow-ips') + 1];

describe('uvicorn trusts only the configured proxies', () => {
  test('app.trustedProxies sets --forwarded-allow-ips of the default command', () => {
    // GIVEN production with the pod CIDR and one address of an IPv6 cluster
    const c = productionConfig();
    c.app.trustedProxies = ['10.244.0.0/16', 'fd00:10::7'];
    // WHEN synthesized THEN uvicorn trusts exactly those
    expect(trusted(apiArgv(c))).toBe('10.244.0.0/16,fd00:10::7');
  });

  test('without app.trustedProxies, trusts the proxies admitted by CIDR', () => {
    // GIVEN production whose ingress controller and gateway proxies are admitted by CIDR
    const c = productionConfig();
    delete c.app.trustedProxies;
    c.allowIngressFrom = { cidr: '10.0.8.0/24' };
    c.route = {
      gateway: { name: 'public', namespace: 'gateway-system' },
      hostnames: ['api.example.com'],
      allowFrom: { cidr: '10.0.9.0/24' },
    };
    c.app.maxBodySize = '10m';
    // WHEN synthesized THEN uvicorn trusts what the NetworkPolicy admits as proxies
    expect(trusted(apiArgv(c))).toBe('10.0.8.0/24,10.0.9.0/24');
  });

  test('the committed production-shaped environments name their proxies, never every peer', () => {
    // GIVEN prod and staging WHEN synthesized THEN neither trusts "*"
    for (const env of ['prod', 'staging']) {
      const objects = synthesizeObjects(committedConfig(env));
      const container = named(objects, 'Deployment')[0].spec.template.spec.containers[0];
      expect(trusted(container.command)).toMatch(/^10\.\d+\.0\.0\/16$/);
    }
  });

  test('fails when a production environment admits its proxies by namespace and names none', () => {
    expectError(
      productionConfig,
      (c) => {
        delete c.app.trustedProxies;
      },
      /app\.trustedProxies: missing in a production environment whose ingress controller or gateway is admitted by namespace: .*; allowed: the proxies' addresses or CIDRs/,
    );
  });

  test.each([
    [
      '*',
      /got "\*": every peer in a production environment: uvicorn would take the client address from the left-most X-Forwarded-For entry/,
    ],
    ['0.0.0.0/0', /got "0\.0\.0\.0\/0": prefix \/0 is every IPv4 address/],
    ['::/0', /got "::\/0": prefix \/0 is every IPv6 address/],
    ['10.244.0.5/16', /got "10\.244\.0\.5\/16": host bits are set beyond \/16; allowed: the network 10\.244\.0\.0\/16/],
    ['ingress.local', /got "ingress\.local": not an IP address or CIDR; allowed: /],
    ['0.0.0.0/1', /got "0\.0\.0\.0\/1": outside the ranges a production ingress peer may admit/],
  ])('fails when a production app.trustedProxies holds %s', (entry, message) => {
    expectError(
      productionConfig,
      (c) => {
        c.app.trustedProxies = ['10.244.0.0/16', entry];
      },
      new RegExp(`app\\.trustedProxies\\[1\\]: ${message.source}`),
    );
  });

  test('accepts "*" outside production, as the README warns', () => {
    // GIVEN a non-production environment that trusts every peer on purpose
    const c = minimalConfig();
    c.app.trustedProxies = ['*'];
    // WHEN synthesized THEN so it does
    expect(trusted(apiArgv(c))).toBe('*');
  });

  test('the environment README warns when uvicorn trusts every peer, and names the proxies otherwise', () => {
    // GIVEN a non-production environment left at "*", and a production one with its pod CIDR
    const readme = (c: Record<string, any>) => renderEnvironment(configFrom(c)).files.get(ENVIRONMENT_README)!;
    // WHEN their READMEs are rendered THEN
    expect(readme(minimalConfig())).toMatch(/\*\*Warning: uvicorn trusts X-Forwarded-For from every peer\*\*/);
    const withProxies = readme(productionConfig());
    expect(withProxies).not.toMatch(/Warning: uvicorn/);
    expect(withProxies).toMatch(/uvicorn believes X-Forwarded-For and X-Forwarded-Proto only from `10\.244\.0\.0\/16`/);
  });

  test('fails when app.trustedProxies is given beside a command of its own', () => {
    expectError(
      minimalConfig,
      (c) => {
        c.app.trustedProxies = ['10.244.0.0/16'];
        c.app.command = ['/app/.venv/bin/python', '-m', 'uvicorn', 'src.main:app', '--proxy-headers'];
      },
      /app\.trustedProxies: got \["10\.244\.0\.0\/16"\] together with app\.command: .*; allowed: one of them/,
    );
  });

  test.each([
    [
      'app.command',
      (c: Record<string, any>) => (c.app.command = ['uvicorn', 'src.main:app', '--forwarded-allow-ips=*']),
    ],
    ['app.args', (c: Record<string, any>) => (c.app.args = ['--forwarded-allow-ips', '10.0.0.0/8,*'])],
    [
      'settings.extraEnv.FORWARDED_ALLOW_IPS',
      (c: Record<string, any>) => (c.settings.extraEnv = { FORWARDED_ALLOW_IPS: '*' }),
    ],
    ['app.env\\[0\\].value', (c: Record<string, any>) => (c.app.env = [{ name: 'FORWARDED_ALLOW_IPS', value: '*' }])],
  ])('fails when production trusts every peer through %s', (field, edit) => {
    expectError(
      productionConfig,
      (c) => {
        if (field === 'app.command') delete c.app.trustedProxies;
        edit(c);
      },
      new RegExp(`${field.replaceAll('.', '\\.')}: got "\\*": every peer in a production environment`),
    );
  });
});

const COMPONENT = 'app.kubernetes.io/component';

describe('probes, spreading and labels during a rollout', () => {
  test('readiness GETs the metrics path and liveness connects to the port by default, so they differ', () => {
    // GIVEN the defaults WHEN synthesized
    const c = named(synthesizeObjects(configFrom(minimalConfig())), 'Deployment')[0].spec.template.spec.containers[0];
    // THEN kube-score finds no identical pair: different handlers on the same port
    expect(c.readinessProbe.httpGet).toEqual({ path: '/api/v1/metrics', port: 'http', scheme: 'HTTP' });
    expect(c.livenessProbe).toEqual({
      tcpSocket: { port: 'http' },
      periodSeconds: 20,
      timeoutSeconds: 5,
      failureThreshold: 3,
    });
  });

  test('app.probes.liveness.path makes liveness a GET of that path', () => {
    // GIVEN a liveness path of its own
    const data = minimalConfig();
    data.app.probes = { liveness: { path: '/api/v1/metrics', periodSeconds: 30 } };
    // WHEN synthesized THEN
    const c = named(synthesizeObjects(configFrom(data)), 'Deployment')[0].spec.template.spec.containers[0];
    expect(c.livenessProbe).toMatchObject({ httpGet: { path: '/api/v1/metrics', port: 'http' }, periodSeconds: 30 });
  });

  test('fails when liveness is readiness as the kubelet runs it, a left-out success count being 1', () => {
    // GIVEN a liveness GET of the readiness path with readiness's timings but no successThreshold
    expectError(
      minimalConfig,
      (c) => {
        c.app.probes = {
          liveness: { path: '/api/v1/metrics', periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 },
        };
      },
      /app\.probes\.liveness: got the same path, port and timings as readiness/,
    );
  });

  test("spread constraints count the pods of the incoming pod's ReplicaSet only", () => {
    // GIVEN a config with a worker WHEN synthesized
    const data = minimalConfig();
    data.workers = { mailer: { command: ['/app/.venv/bin/python', '-m', 'mailer'], healthCommand: ['true'] } };
    data.database.maxConnections = 200;
    const deployments = named(synthesizeObjects(configFrom(data)), 'Deployment');
    // THEN every constraint of every Deployment has matchLabelKeys
    const constraints = deployments.flatMap((d) => d.spec.template.spec.topologySpreadConstraints);
    expect(constraints).toHaveLength(4);
    for (const c of constraints) expect(c.matchLabelKeys).toEqual(['pod-template-hash']);
  });

  test('the component label is only on objects of one component', () => {
    // GIVEN an environment with an ExternalSecret, a route and a Job WHEN synthesized
    const data = productionConfig();
    data.secrets.externalSecret = { store: { name: 'vault' }, remoteKey: 'rp/test' };
    const objects = synthesizeObjects(configFrom(data));
    const component = (kind: string, name?: string) =>
      objects
        .filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name))
        .map((o) => o.metadata.labels?.[COMPONENT]);
    // THEN the instance-wide objects carry none, the app's and the migration's their own
    expect(component('Namespace')).toEqual([undefined]);
    expect(component('NetworkPolicy', 'default-deny')).toEqual([undefined]);
    expect(component('NetworkPolicy', 'reviewpoint-backend-egress')).toEqual([undefined]);
    expect(component('ExternalSecret')).toEqual([undefined]);
    expect(component('Deployment')).toEqual(['api']);
    expect(component('Service')).toEqual(['api']);
    expect(component('Job')).toEqual(['migration']);
    // and the namespace keeps the labels that say whose it is
    expect(named(objects, 'Namespace')[0].metadata.labels).toMatchObject({
      'app.kubernetes.io/name': 'reviewpoint-backend',
      'app.kubernetes.io/instance': 'reviewpoint-backend-test',
    });
  });
});
