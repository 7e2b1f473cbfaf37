import { synthesizeObjects } from '../lib/render';
import { committedConfig, configFrom, ENVIRONMENTS, minimalConfig } from './helpers';

const deployment = (objects: readonly any[]) => objects.find((o) => o.kind === 'Deployment');
const api = (objects: readonly any[]) => deployment(objects).spec.template.spec.containers[0];

describe.each(ENVIRONMENTS)('the %s Deployment', (env) => {
  const objects = synthesizeObjects(committedConfig(env)) as any[];

  test('keeps serving for a while after the stop request, without a shell, and is killed only after that and the drain', () => {
    // GIVEN the committed config WHEN it is synthesized THEN the preStop hook runs the image's Python
    const hook = api(objects).lifecycle.preStop;
    expect(hook).toEqual({ exec: { command: ['/app/.venv/bin/python', '-c', expect.stringMatching(/^import time; time\.sleep\(\d+\)$/)] } });
    const delay = Number(/sleep\((\d+)\)/.exec(hook.exec.command[2])![1]);
    const argv: string[] = [...api(objects).command, ...(api(objects).args ?? [])];
    const drain = Number(argv[argv.indexOf('--timeout-graceful-shutdown') + 1]);
    expect(delay).toBeGreaterThan(0);
    expect(deployment(objects).spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(delay + drain);
  });

  test('trusts forwarded headers from whatever the NetworkPolicy admits', () => {
    const argv: string[] = api(objects).command;
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
    expect(api(objects).lifecycle.preStop.exec.command).toEqual(['/app/.venv/bin/python', '-c', 'import time; time.sleep(5)']);
    expect(deployment(objects).spec.template.spec.terminationGracePeriodSeconds).toBe(60);
  });

  test('leaves the hook out when the delay is 0', () => {
    const data = minimalConfig();
    data.app.preStopSeconds = 0;
    expect(api(synthesizeObjects(configFrom(data)) as any[]).lifecycle).toBeUndefined();
  });
});
