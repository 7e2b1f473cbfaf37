import { checkPolicy, RULES, type Manifest, type Violation } from '../lib/policy';
import { synthesizeObjects } from '../lib/render';
import { committedConfig, devLike, ENVIRONMENTS, prodLike } from './helpers';

/** a deep copy of a production- or dev-shaped environment's objects, for a test to break */
function objectsOf(env: 'prod' | 'dev'): any[] {
  return JSON.parse(JSON.stringify(synthesizeObjects(env === 'prod' ? prodLike() : devLike())));
}

const find = (objects: any[], kind: string) => objects.find((o) => o.kind === kind);
const pod = (objects: any[]) => find(objects, 'Deployment').spec.template.spec;
const api = (objects: any[]) => pod(objects).containers[0];
const init = (objects: any[]) => pod(objects).initContainers[0];
const job = (objects: any[]) => find(objects, 'Job');

interface Case {
  readonly rule: string;
  readonly what: string;
  /** the environment whose output is broken (prod has a Job, dev an init container) */
  readonly env?: 'prod' | 'dev';
  readonly production?: boolean;
  readonly breakIt: (objects: any[]) => void;
  readonly message: RegExp;
  readonly container?: string;
}

const CASES: Case[] = [
  {
    rule: 'probe-host',
    what: 'a probe with a host',
    breakIt: (o) => {
      api(o).readinessProbe.httpGet.host = '10.0.0.1';
    },
    message: /readinessProbe must not set host/,
  },
  {
    rule: 'explicit-identity',
    what: 'no numeric UID',
    breakIt: (o) => {
      delete pod(o).securityContext.runAsUser;
      delete api(o).securityContext.runAsUser;
    },
    message: /container "api" needs a numeric, non-zero runAsUser/,
  },
  {
    rule: 'explicit-identity',
    what: 'no fsGroup',
    breakIt: (o) => {
      delete pod(o).securityContext.fsGroup;
    },
    message: /fsGroup must be set/,
  },
  {
    rule: 'read-only-root',
    what: 'a writable root',
    breakIt: (o) => {
      api(o).securityContext.readOnlyRootFilesystem = false;
    },
    message: /readOnlyRootFilesystem must be true \(got false\)/,
  },
  {
    rule: 'read-only-root',
    what: 'no /tmp',
    breakIt: (o) => {
      api(o).volumeMounts = api(o).volumeMounts.filter((m: any) => m.mountPath !== '/tmp');
    },
    message: /needs a writable emptyDir mounted at \/tmp/,
  },
  {
    rule: 'service-account',
    what: 'the default account',
    breakIt: (o) => {
      pod(o).serviceAccountName = 'default';
    },
    message: /serviceAccountName must name a dedicated ServiceAccount \(got "default"\)/,
  },
  {
    rule: 'service-account',
    what: 'a mounted token',
    breakIt: (o) => {
      pod(o).automountServiceAccountToken = true;
    },
    message: /automountServiceAccountToken must be false \(got true\)/,
  },
  {
    rule: 'service-account',
    what: 'an account that mounts tokens',
    breakIt: (o) => {
      find(o, 'ServiceAccount').automountServiceAccountToken = true;
    },
    message: /automountServiceAccountToken must be false/,
  },
  {
    rule: 'no-plaintext-secrets',
    what: 'a Secret with data',
    breakIt: (o) => {
      o.push({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 's', namespace: 'reviewpoint-prod' },
        stringData: { 'db-url': 'x' },
      });
    },
    message: /a Secret with data must not be in the output/,
  },
  {
    rule: 'no-plaintext-secrets',
    what: 'a literal secret env value',
    breakIt: (o) => {
      api(o).env.push({ name: 'REVIEWPOINT_API_KEY_2', value: 'hunter2' });
    },
    message: /env REVIEWPOINT_API_KEY_2 has a literal value/,
  },
  {
    rule: 'no-plaintext-secrets',
    what: 'an API key in a probe header',
    breakIt: (o) => {
      api(o).readinessProbe.httpGet.httpHeaders = [{ name: 'X-API-Key', value: 'k' }];
    },
    message: /readinessProbe sends header X-API-Key/,
  },
  {
    rule: 'no-plaintext-secrets',
    what: 'a password in args',
    breakIt: (o) => {
      api(o).args = ['--password=hunter2'];
    },
    message: /command\/args carry a secret \(--password=\*\*\*\)/,
  },
  {
    rule: 'no-plaintext-secrets',
    what: 'a secret in the ConfigMap',
    breakIt: (o) => {
      find(o, 'ConfigMap').data.REVIEWPOINT_JWT_SECRET_KEY = 'x';
    },
    message: /ConfigMap key REVIEWPOINT_JWT_SECRET_KEY looks like a secret/,
  },
  {
    rule: 'image-pinned',
    what: 'latest',
    breakIt: (o) => {
      api(o).image = 'ghcr.io/reviewpoint/backend:latest';
    },
    message: /must have a tag other than latest, or a digest/,
  },
  {
    rule: 'image-pinned',
    what: 'no tag at all',
    env: 'dev',
    production: false,
    breakIt: (o) => {
      init(o).image = 'ghcr.io/reviewpoint/backend-shell';
    },
    message: /must have a tag other than latest/,
    container: 'migrate',
  },
  {
    rule: 'image-pinned',
    what: 'a tag without digest in production',
    breakIt: (o) => {
      job(o).spec.template.spec.containers[0].image = 'ghcr.io/reviewpoint/backend-shell:1.4.2';
    },
    message: /must be pinned by digest \(@sha256:\.\.\.\) in production/,
    container: 'migrate',
  },
  {
    rule: 'resources',
    what: 'no memory limit',
    breakIt: (o) => {
      delete api(o).resources.limits;
    },
    message: /resources must set limits\.memory/,
  },
  {
    rule: 'resources',
    what: 'no requests on the init container',
    env: 'dev',
    breakIt: (o) => {
      delete init(o).resources.requests;
    },
    message: /resources must set requests\.cpu, requests\.memory/,
    container: 'migrate',
  },
  {
    rule: 'resources',
    what: 'no ephemeral storage',
    breakIt: (o) => {
      delete api(o).resources.requests['ephemeral-storage'];
      delete api(o).resources.limits['ephemeral-storage'];
    },
    message: /resources must set requests\.ephemeral-storage, limits\.ephemeral-storage/,
  },
  {
    rule: 'probes',
    what: 'no readiness probe',
    breakIt: (o) => {
      delete api(o).readinessProbe;
    },
    message: /readinessProbe is missing/,
  },
  {
    rule: 'probes',
    what: 'identical probes',
    breakIt: (o) => {
      api(o).livenessProbe = { ...api(o).readinessProbe };
    },
    message: /readinessProbe and livenessProbe are identical/,
  },
  {
    rule: 'probes',
    what: 'probes identical as the kubelet runs them (a default left out, the port by number)',
    breakIt: (o) => {
      // readiness spells out successThreshold 1 and the port's name; the kubelet runs this the same
      const { successThreshold: _one, ...timings } = api(o).readinessProbe;
      api(o).livenessProbe = {
        ...timings,
        initialDelaySeconds: 0,
        httpGet: { path: api(o).readinessProbe.httpGet.path, port: 8000 },
      };
    },
    message: /readinessProbe and livenessProbe are identical/,
  },
  {
    rule: 'probes',
    what: 'an undeclared probe port',
    breakIt: (o) => {
      api(o).startupProbe.httpGet.port = 9000;
    },
    message: /startupProbe uses port 9000, which the container does not declare/,
  },
  {
    rule: 'network',
    what: 'no default deny',
    breakIt: (o) => {
      o.splice(
        o.findIndex((x) => x.metadata.name === 'default-deny'),
        1,
      );
    },
    message: /needs a default-deny NetworkPolicy/,
  },
  {
    rule: 'network',
    what: 'an egress rule to everyone',
    breakIt: (o) => {
      o.find((x) => x.metadata.name === 'reviewpoint-backend-egress').spec.egress.push({});
    },
    message: /egress\[2\] has no to: it allows every peer/,
  },
  {
    rule: 'network',
    what: 'no egress policy for the pods',
    breakIt: (o) => {
      o.splice(
        o.findIndex((x) => x.metadata.name === 'reviewpoint-backend-egress'),
        1,
      );
    },
    message: /no NetworkPolicy allows its egress/,
  },
  {
    rule: 'availability',
    what: 'one replica in production',
    breakIt: (o) => {
      find(o, 'HorizontalPodAutoscaler').spec.minReplicas = 1;
    },
    message: /needs at least 2 replicas in production \(got 1 as HPA minReplicas\)/,
  },
  {
    rule: 'availability',
    what: 'no PodDisruptionBudget in production',
    breakIt: (o) => {
      o.splice(
        o.findIndex((x) => x.kind === 'PodDisruptionBudget'),
        1,
      );
    },
    message: /needs a PodDisruptionBudget that selects its pods/,
  },
  {
    rule: 'availability',
    what: 'no spreading',
    breakIt: (o) => {
      delete pod(o).topologySpreadConstraints;
    },
    message: /needs topologySpreadConstraints/,
  },
  {
    rule: 'job-bounds',
    what: 'an unbounded Job',
    breakIt: (o) => {
      delete job(o).spec.activeDeadlineSeconds;
    },
    message: /must set activeDeadlineSeconds/,
  },
  {
    rule: 'job-bounds',
    what: 'a Job that piles up',
    breakIt: (o) => {
      delete job(o).spec.ttlSecondsAfterFinished;
      delete job(o).metadata.annotations['argocd.argoproj.io/hook-delete-policy'];
    },
    message: /must set ttlSecondsAfterFinished/,
  },
  {
    rule: 'namespace-restricted',
    what: 'a baseline namespace',
    breakIt: (o) => {
      find(o, 'Namespace').metadata.labels['pod-security.kubernetes.io/enforce'] = 'baseline';
    },
    message: /enforce must be "restricted" \(got "baseline"\)/,
  },
  {
    rule: 'namespace-restricted',
    what: 'a namespace enforcing another version than the policy evaluates',
    breakIt: (o) => {
      find(o, 'Namespace').metadata.labels['pod-security.kubernetes.io/enforce-version'] = 'latest';
    },
    message: /enforce-version must be "v1\.28", the version the policy evaluates \(got "latest"\)/,
  },
  {
    rule: 'namespace-restricted',
    what: 'no Namespace object',
    breakIt: (o) => {
      o.splice(
        o.findIndex((x) => x.kind === 'Namespace'),
        1,
      );
    },
    message: /is used but not part of the output/,
  },
  {
    rule: 'consistency',
    what: 'a selector that misses the template',
    breakIt: (o) => {
      find(o, 'Deployment').spec.selector.matchLabels['app.kubernetes.io/component'] = 'web';
    },
    message: /spec\.selector .* does not match the template labels/,
  },
  {
    rule: 'consistency',
    what: 'a Service that selects nothing',
    breakIt: (o) => {
      find(o, 'Service').spec.selector = { app: 'other' };
    },
    message: /selector \{"app":"other"\} selects no pod template/,
  },
  {
    rule: 'consistency',
    what: 'a ServiceMonitor that selects no Service',
    breakIt: (o) => {
      o.push({
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'ServiceMonitor',
        metadata: { name: 'reviewpoint-backend', namespace: 'reviewpoint-prod' },
        spec: { selector: { matchLabels: { app: 'other' } }, endpoints: [{ port: 'http' }] },
      });
    },
    message: /selector \{"app":"other"\} selects no Service in the output/,
  },
  {
    rule: 'consistency',
    what: 'a duplicate env name',
    breakIt: (o) => {
      api(o).env.push({ name: 'REVIEWPOINT_DB_URL', valueFrom: api(o).env[0].valueFrom });
    },
    message: /duplicate env names REVIEWPOINT_DB_URL/,
  },
  {
    rule: 'consistency',
    what: 'a lower-case copy of a setting in the ConfigMap',
    breakIt: (o) => {
      find(o, 'ConfigMap').data.reviewpoint_auth_enabled = 'false';
    },
    message: /duplicate env names REVIEWPOINT_AUTH_ENABLED, reviewpoint_auth_enabled \(names read in any case\)/,
  },
  {
    rule: 'no-plaintext-secrets',
    what: 'a password in URL userinfo of an env value',
    breakIt: (o) => {
      api(o).env.push({ name: 'UPSTREAM', value: 'https://user:pass@host' });
    },
    message: /env UPSTREAM carries a credential \(https:\/\/user:\*\*\*@host\)/,
  },
  {
    rule: 'no-plaintext-secrets',
    what: 'a password in URL userinfo of a ConfigMap value',
    breakIt: (o) => {
      find(o, 'ConfigMap').data.UPSTREAM = 'https://user:pass@host';
    },
    message: /ConfigMap key UPSTREAM carries a credential \(https:\/\/user:\*\*\*@host\)/,
  },
  {
    rule: 'no-plaintext-secrets',
    what: 'a secret flag and its value as two arguments',
    breakIt: (o) => {
      api(o).args = ['--ssl-keyfile-password', 'hunter2'];
    },
    message: /command\/args carry a secret \(--ssl-keyfile-password \*\*\*\)/,
  },
  {
    rule: 'network',
    what: 'an ingress peer of prefix 0 that is not 0.0.0.0/0',
    breakIt: (o) => {
      o.find((x) => x.metadata.name === 'reviewpoint-backend-ingress').spec.ingress[0].from.push({
        ipBlock: { cidr: '10.0.0.0/0' },
      });
    },
    message: /ingress\[0\] ipBlock "10\.0\.0\.0\/0": prefix \/0 is every IPv4 address/,
  },
  {
    rule: 'network',
    what: 'an IPv6 egress peer of prefix 0',
    breakIt: (o) => {
      o.find((x) => x.metadata.name === 'reviewpoint-backend-egress').spec.egress[0].to.push({
        ipBlock: { cidr: '::/0' },
      });
    },
    message: /egress\[0\] ipBlock "::\/0": prefix \/0 is every IPv6 address/,
  },
  {
    rule: 'network',
    what: 'an except of prefix 0',
    breakIt: (o) => {
      o.find((x) => x.metadata.name === 'reviewpoint-backend-egress').spec.egress[1].to[0].ipBlock.except = [
        '10.0.0.0/0',
      ];
    },
    message: /egress\[1\] ipBlock except "10\.0\.0\.0\/0": prefix \/0 is every IPv4 address/,
  },
  {
    rule: 'network',
    what: 'an except outside its block',
    breakIt: (o) => {
      o.find((x) => x.metadata.name === 'reviewpoint-backend-egress').spec.egress[1].to[0].ipBlock.except = [
        '10.99.0.0/24',
      ];
    },
    message: /egress\[1\] ipBlock except "10\.99\.0\.0\/24" is not a strict subset of "10\.20\.0\.0\/24"/,
  },
  {
    rule: 'network',
    what: 'a production ingress peer broader than a private range',
    breakIt: (o) => {
      o.find((x) => x.metadata.name === 'reviewpoint-backend-ingress').spec.ingress[0].from.push({
        ipBlock: { cidr: '10.0.0.0/7' },
      });
    },
    message: /ingress\[0\] admits "10\.0\.0\.0\/7" in production, outside the private ranges/,
  },
  {
    rule: 'backend-settings',
    what: 'auth turned off by a lower-case copy in production',
    breakIt: (o) => {
      find(o, 'ConfigMap').data.reviewpoint_auth_enabled = 'false';
    },
    message:
      /env reviewpoint_auth_enabled \(ConfigMap\/reviewpoint-backend\) is "false" in a production environment: it bypasses authentication/,
    container: 'api',
  },
  {
    rule: 'backend-settings',
    what: 'PYTEST_CURRENT_TEST in the Job of production',
    breakIt: (o) => {
      job(o).spec.template.spec.containers[0].env.push({ name: 'PYTEST_CURRENT_TEST', value: 'x' });
    },
    message: /env PYTEST_CURRENT_TEST \(env\) is "x" in a production environment: it turns on the backend's test mode/,
    container: 'migrate',
  },
  {
    rule: 'backend-settings',
    what: 'debug as pydantic reads "y"',
    breakIt: (o) => {
      find(o, 'ConfigMap').data.REVIEWPOINT_DEBUG = 'y';
    },
    message: /env REVIEWPOINT_DEBUG \(ConfigMap\/reviewpoint-backend\) is "y" in a production environment: debug mode/,
  },
  {
    rule: 'backend-settings',
    what: 'LD_PRELOAD outside production',
    env: 'dev',
    breakIt: (o) => {
      api(o).env.push({ name: 'LD_PRELOAD', value: '/tmp/x.so' });
    },
    message: /env LD_PRELOAD \(env\) is "\/tmp\/x\.so": it makes the process load code from a path/,
  },
  {
    rule: 'annotations',
    what: 'a configuration snippet on the Ingress',
    breakIt: (o) => {
      find(o, 'Ingress').metadata.annotations = { 'nginx.ingress.kubernetes.io/configuration-snippet': 'return 200;' };
    },
    message: /metadata\.annotations nginx\.ingress\.kubernetes\.io\/configuration-snippet: a configuration snippet/,
  },
  {
    rule: 'annotations',
    what: 'an Argo CD hook the delivery check does not model',
    breakIt: (o) => {
      find(o, 'Ingress').metadata.annotations = { 'argocd.argoproj.io/compare-options': 'IgnoreExtraneous' };
    },
    message: /argocd\.argoproj\.io\/compare-options: a control annotation of argocd\.argoproj\.io/,
  },
  {
    rule: 'annotations',
    what: 'a credential in a pod template annotation',
    breakIt: (o) => {
      find(o, 'Deployment').spec.template.metadata.annotations.upstream = 'https://user:pass@host';
    },
    message:
      /spec\.template\.metadata\.annotations upstream: its value carries a credential in plain text \(https:\/\/user:\*\*\*@host\)/,
  },
  {
    rule: 'cluster-owned',
    what: 'the namespace kube-system',
    breakIt: (o) => {
      for (const x of o) {
        if (x.kind === 'Namespace') x.metadata.name = 'kube-system';
        else x.metadata.namespace = 'kube-system';
      }
    },
    message: /the output must not own it: "kube-\*" namespaces belong to Kubernetes/,
  },
  {
    rule: 'cluster-owned',
    what: 'a system priority class',
    breakIt: (o) => {
      pod(o).priorityClassName = 'system-node-critical';
    },
    message: /priorityClassName "system-node-critical": "system-\*" classes are the cluster's own/,
  },
  {
    rule: 'annotations',
    what: 'an Ingress that Argo CD skips as a hook',
    breakIt: (o) => {
      find(o, 'Ingress').metadata.annotations = { 'argocd.argoproj.io/hook': 'Skip' };
    },
    message: /argocd\.argoproj\.io\/hook "Skip" on Ingress: Argo CD applies a hook only in its phase/,
  },
  {
    rule: 'annotations',
    what: 'the migration Job as a SyncFail hook',
    breakIt: (o) => {
      job(o).metadata.annotations['argocd.argoproj.io/hook'] = 'SyncFail';
    },
    message: /argocd\.argoproj\.io\/hook "SyncFail" on Job/,
  },
];

describe.each(ENVIRONMENTS)('the committed %s output', (env) => {
  test('passes every rule', () => {
    const config = committedConfig(env);
    expect(checkPolicy(synthesizeObjects(config), { environment: env, production: config.production })).toEqual([]);
  });
});

describe('every house rule can fail', () => {
  test.each(CASES.map((c) => [c.rule, c.what, c] as const))('%s: fails on %s', (_rule, _what, c) => {
    // GIVEN valid output, broken in one place
    const objects = objectsOf(c.env ?? 'prod');
    c.breakIt(objects);
    // WHEN the policy runs
    const violations: Violation[] = checkPolicy(objects as Manifest[], {
      environment: 'prod',
      production: c.production ?? (c.env ?? 'prod') === 'prod',
    });
    // THEN this rule reports it, naming the object and (where it applies) the container
    const mine = violations.filter((v) => v.rule === c.rule);
    expect(mine.map((v) => v.message).join('\n')).toMatch(c.message);
    expect(mine[0].object).toMatch(/^[A-Za-z]+\/[a-z0-9.-]+$/);
    if (c.container) expect(mine.map((v) => v.container)).toContain(c.container);
  });

  test('covers every house rule (the Pod Security Standards have their own cases)', () => {
    expect([...new Set(CASES.map((c) => c.rule))].sort()).toEqual(
      RULES.filter((r) => r.source === 'hardening')
        .map((r) => r.id)
        .sort(),
    );
  });
});
