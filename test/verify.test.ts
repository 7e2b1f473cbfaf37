import * as fs from 'node:fs';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { PolicyError } from '../lib/policy';
import { verifyManifests } from '../lib/verify';
import { synthesizeObjects } from '../lib/render';
import { minimalConfig, prodLike, scratchDir } from './helpers';

jest.mock('../lib/verify', () => {
  const actual = jest.requireActual('../lib/verify');
  return { ...actual, verifyManifests: jest.fn(actual.verifyManifests) };
});

// imported after the mock, so main uses the mocked gate
import { main } from '../main';

describe('verifyManifests', () => {
  test('passes a production-shaped output', () => {
    const config = prodLike();
    expect(() => verifyManifests(synthesizeObjects(config), { environment: 'prod', production: true })).not.toThrow();
  });

  test('fails on a schema violation before it looks at the policy', () => {
    const objects: any[] = JSON.parse(JSON.stringify(synthesizeObjects(prodLike())));
    objects.find((o) => o.kind === 'Service').spec.ports[0].port = 'eighty';
    expect(() => verifyManifests(objects, { environment: 'prod', production: true })).toThrow(
      /^schema check failed in environment "prod" \(1 violation\):\n {2}Service\/reviewpoint-backend: \[schema\] spec\.ports\[0\]\.port: must be integer \(got "eighty"\)$/,
    );
  });

  test('fails on a policy violation, naming object, container and rule', () => {
    const objects: any[] = JSON.parse(JSON.stringify(synthesizeObjects(prodLike())));
    objects.find(
      (o) => o.kind === 'Deployment',
    ).spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem = false;
    expect(() => verifyManifests(objects, { environment: 'prod', production: true })).toThrow(
      /policy check failed in environment "prod" \(1 violation\):\n {2}Deployment\/reviewpoint-backend container "api": \[read-only-root\] securityContext\.readOnlyRootFilesystem must be true \(got false\)/,
    );
  });
});

describe('a run that fails the checks', () => {
  test('leaves the previous output byte-identical', () => {
    // GIVEN a published tree
    const dir = scratchDir('rp-verify-');
    fs.mkdirSync(path.join(dir, 'config'));
    fs.writeFileSync(path.join(dir, 'config', 'alpha.yaml'), stringify(minimalConfig()));
    const args = ['--config', path.join(dir, 'config'), '--out', path.join(dir, 'dist')];
    const quiet = [
      jest.spyOn(console, 'log').mockImplementation(() => {}),
      jest.spyOn(console, 'error').mockImplementation(() => {}),
    ];
    expect(main(args, {})).toBe(0);
    const before = fs.readFileSync(
      path.join(dir, 'dist', 'alpha', 'app', 'deployment-reviewpoint-backend.yaml'),
      'utf8',
    );
    // WHEN the config changes but the policy check fails
    fs.writeFileSync(path.join(dir, 'config', 'alpha.yaml'), stringify({ ...minimalConfig(), namespace: 'rp-other' }));
    jest.mocked(verifyManifests).mockImplementationOnce(() => {
      throw new PolicyError('alpha', [{ rule: 'privileged', object: 'Deployment/x', message: 'boom' }]);
    });
    const code = main(args, {});
    quiet.forEach((q) => q.mockRestore());
    // THEN nothing changed on disk
    expect(code).toBe(1);
    expect(fs.readFileSync(path.join(dir, 'dist', 'alpha', 'app', 'deployment-reviewpoint-backend.yaml'), 'utf8')).toBe(
      before,
    );
    expect(before).toContain('namespace: rp-test');
  });
});
