import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { synthesizeObjects } from '../lib/render';
import { validateSchema } from '../lib/schema';
import { committedConfig, ENVIRONMENTS, prodLike, ROOT } from './helpers';

const deployment = (): any =>
  JSON.parse(JSON.stringify(synthesizeObjects(prodLike()).find((o) => o.kind === 'Deployment')));

describe.each(ENVIRONMENTS)('the committed %s output', (env) => {
  test('matches the Kubernetes schema', () => {
    expect(synthesizeObjects(committedConfig(env)).flatMap(validateSchema)).toEqual([]);
  });
});

describe('schema errors', () => {
  test('fails when a field has the wrong type, naming the path and value', () => {
    const d = deployment();
    d.spec.replicas = 'two';
    expect(validateSchema(d)).toContainEqual({
      rule: 'schema',
      object: 'Deployment/reviewpoint-backend',
      message: 'spec.replicas: must be integer (got "two")',
    });
  });

  test('fails when a field is unknown', () => {
    const d = deployment();
    d.spec.template.spec.containers[0].imagePullPolicyy = 'Always';
    expect(validateSchema(d).map((v) => v.message)).toContain(
      'unknown field spec.template.spec.containers[0].imagePullPolicyy (not in the Kubernetes 1.28 Deployment schema)',
    );
  });

  test('fails when a field is newer than Kubernetes 1.28', () => {
    const d = deployment();
    d.spec.template.spec.securityContext.appArmorProfile = { type: 'RuntimeDefault' };
    expect(validateSchema(d).map((v) => v.message)).toContain(
      'unknown field spec.template.spec.securityContext.appArmorProfile (not in the Kubernetes 1.28 Deployment schema)',
    );
  });

  test('fails when a required field is missing', () => {
    const d = deployment();
    delete d.spec.template.spec.containers[0].name;
    expect(
      validateSchema(d)
        .map((v) => v.message)
        .join('\n'),
    ).toMatch(/spec\.template\.spec\.containers\[0\]: missing required field name/);
  });

  test('fails when a value is not one of an enumeration', () => {
    const d = deployment();
    d.spec.template.spec.containers[0].imagePullPolicy = 'Sometimes';
    expect(validateSchema(d).map((v) => v.message)).toEqual([
      'spec.template.spec.containers[0].imagePullPolicy: must be one of Always, IfNotPresent, Never (got "Sometimes")',
    ]);
  });

  test.each([
    ['not whole', 1.5, 'must be integer (got 1.5)'],
    ['out of the int32 range', 2 ** 31, 'must be a 32-bit integer (got 2147483648)'],
  ])('fails when an integer is %s', (_what, replicas, message) => {
    const d = deployment();
    d.spec.replicas = replicas;
    expect(validateSchema(d).map((v) => v.message)).toEqual([`spec.replicas: ${message}`]);
  });

  test('fails when a quantity is malformed', () => {
    const d = deployment();
    d.spec.template.spec.containers[0].resources.limits.memory = '512MB';
    expect(validateSchema(d).map((v) => v.message)).toEqual([
      'spec.template.spec.containers[0].resources.limits.memory: must be a quantity such as 250m, 128Mi or 2 (got "512MB")',
    ]);
  });

  test('fails when a list stands where a mapping belongs, and the other way round', () => {
    const d = deployment();
    d.spec.template.spec.securityContext = [];
    d.spec.template.spec.volumes = {};
    expect(validateSchema(d).map((v) => v.message)).toEqual([
      'spec.template.spec.securityContext: must be a mapping (got [])',
      'spec.template.spec.volumes: must be a list (got {})',
    ]);
  });

  test('fails when a required field of the object itself is missing', () => {
    const hpa = JSON.parse(
      JSON.stringify(synthesizeObjects(prodLike()).find((o) => o.kind === 'HorizontalPodAutoscaler')),
    );
    delete hpa.spec.maxReplicas;
    expect(validateSchema(hpa).map((v) => v.message)).toEqual(['spec: missing required field maxReplicas']);
  });

  test('reads enumeration values that contain spaces', () => {
    const csr = {
      apiVersion: 'certificates.k8s.io/v1',
      kind: 'CertificateSigningRequest',
      metadata: { name: 'c' },
      spec: { request: 'AAAA', signerName: 'example.com/s', usages: ['digital signature', 'key encipherment', 'sign'] },
    };
    expect(validateSchema(csr).map((v) => v.message)).toEqual([
      expect.stringMatching(/^spec\.usages\[2\]: must be one of any, cert sign, .* \(got "sign"\)$/),
    ]);
  });

  test('fails when the API version is not served by Kubernetes 1.28', () => {
    const hpa = { apiVersion: 'autoscaling/v2beta2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'x' } };
    expect(validateSchema(hpa)).toEqual([
      {
        rule: 'schema',
        object: 'HorizontalPodAutoscaler/x',
        message: expect.stringMatching(
          /^apiVersion autoscaling\/v2beta2 kind HorizontalPodAutoscaler is in none of the known schemas: Kubernetes 1\.28, /,
        ),
      },
    ]);
  });

  test('accepts quantities and int-or-string values as strings or numbers', () => {
    const d = deployment();
    d.spec.template.spec.containers[0].resources.limits.memory = 536870912;
    // the API types parse a sign and a zero; refusing them is API validation, not the schema's job
    d.spec.template.spec.containers[0].resources.requests.cpu = '+0.5';
    d.spec.template.spec.volumes[0].emptyDir.sizeLimit = '-1e3';
    d.spec.strategy.rollingUpdate.maxSurge = '25%';
    expect(validateSchema(d)).toEqual([]);
  });
});

describe('the schema file', () => {
  test('has a known type for every field and a definition for every reference', () => {
    // the CRD schema refers to the 1.28 ObjectMeta, so both files are read as the one schema
    const [core, crds] = ['k8s-1.28-schema.json', 'crd-schema.json'].map((f) =>
      JSON.parse(fs.readFileSync(path.join(ROOT, 'imports', f), 'utf8')),
    );
    const kinds = { ...core.kinds, ...crds.kinds };
    const definitions = { ...core.definitions, ...crds.definitions };
    expect(Object.keys(definitions)).toHaveLength(
      Object.keys(core.definitions).length + Object.keys(crds.definitions).length,
    );
    expect(Object.keys(crds.names).sort()).toEqual(Object.keys(crds.kinds).sort());
    const base =
      /^(?:string|boolean|integer|int32|number|any|date-time|byte|int-or-string|quantity|enum\([^\s()]*\)|#(\S+))$/;
    const bad: string[] = [];
    for (const [id, source] of Object.entries<string>(definitions)) {
      for (const entry of source ? source.split(' ') : []) {
        const m = entry.match(/^!?[\w$-]+:(?:\[\]|\{\})*(.*)$/)?.[1].match(base);
        if (!m || (m[1] !== undefined && definitions[m[1]] === undefined)) bad.push(`${id}: ${entry}`);
      }
    }
    for (const [kind, id] of Object.entries<string>(kinds))
      if (definitions[id] === undefined) bad.push(`${kind}: ${id}`);
    expect(bad).toEqual([]);
  });

  test('is what scripts/import-schema.mjs generates from the 1.28 types and the CRD models', () => {
    const run = spawnSync(process.execPath, ['scripts/import-schema.mjs', '--check'], { cwd: ROOT, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});
