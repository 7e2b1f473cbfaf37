import { synthesizeObjects } from '../lib/render';
import { validateSchema } from '../lib/schema';
import { committedConfig, ENVIRONMENTS } from './helpers';

const deployment = (): any => JSON.parse(JSON.stringify(synthesizeObjects(committedConfig('prod')).find((o) => o.kind === 'Deployment')));

describe.each(ENVIRONMENTS)('the committed %s output', (env) => {
  test('matches the Kubernetes schema', () => {
    expect(synthesizeObjects(committedConfig(env)).flatMap(validateSchema)).toEqual([]);
  });
});

describe('schema errors', () => {
  test('fails when a field has the wrong type, naming the path and value', () => {
    const d = deployment();
    d.spec.replicas = 'two';
    expect(validateSchema(d)).toContainEqual({ rule: 'schema', object: 'Deployment/reviewpoint-backend', message: 'spec.replicas: must be integer (got "two")' });
  });

  test('fails when a field is unknown', () => {
    const d = deployment();
    d.spec.template.spec.containers[0].imagePullPolicyy = 'Always';
    expect(validateSchema(d).map((v) => v.message)).toContain('unknown field spec.template.spec.containers[0].imagePullPolicyy (not in the Kubernetes 1.28 Deployment schema)');
  });

  test('fails when a field is newer than Kubernetes 1.28', () => {
    const d = deployment();
    d.spec.template.spec.securityContext.appArmorProfile = { type: 'RuntimeDefault' };
    expect(validateSchema(d).map((v) => v.message)).toContain('unknown field spec.template.spec.securityContext.appArmorProfile (not in the Kubernetes 1.28 Deployment schema)');
  });

  test('fails when a required field is missing', () => {
    const d = deployment();
    delete d.spec.template.spec.containers[0].name;
    expect(validateSchema(d).map((v) => v.message).join('\n')).toMatch(/spec\.template\.spec\.containers\.0: missing required field name/);
  });

  test('fails when the API version is not served by Kubernetes 1.28', () => {
    const hpa = { apiVersion: 'autoscaling/v2beta2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'x' } };
    expect(validateSchema(hpa)).toEqual([{ rule: 'schema', object: 'HorizontalPodAutoscaler/x', message: 'apiVersion autoscaling/v2beta2 kind HorizontalPodAutoscaler is not part of the Kubernetes 1.28 API' }]);
  });

  test('accepts quantities and int-or-string values as strings or numbers', () => {
    const d = deployment();
    d.spec.template.spec.containers[0].resources.limits.memory = 536870912;
    d.spec.strategy.rollingUpdate.maxSurge = '25%';
    expect(validateSchema(d)).toEqual([]);
  });
});
