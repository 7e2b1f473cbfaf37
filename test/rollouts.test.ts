/**
 * What a rollout holds at its peak, and what the app and its migration do when the cluster is
 * not perfect: the connection budget, the migration's wait for the database, the proxies uvicorn
 * trusts, and probes and spreading that stay right during a rollout.
 */
import { synthesizeObjects } from '../lib/render';
import { committedConfig, configFrom, ENVIRONMENTS, minimalConfig, productionConfig } from './helpers';

const WHERE = /^config error in environment "test" \(config\/test\.yaml\), field /;

/** the error message of a config, edited from a valid one ('no error' when it is accepted) */
function errorOf(base: () => Record<string, any>, edit: (c: Record<string, any>) => void): string {
  const data = base();
  edit(data);
  try {
    configFrom(data);
  } catch (e) {
    return (e as Error).message;
  }
  return 'no error';
}

function expectError(base: () => Record<string, any>, edit: (c: Record<string, any>) => void, message: RegExp) {
  const error = errorOf(base, edit);
  expect(error).toMatch(WHERE);
  expect(error).toMatch(message);
}

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

export { synthesizeObjects };
