import { checkPolicy, RULES, type Manifest, type Violation } from '../lib/policy';
import { synthesizeObjects } from '../lib/render';
import { committedConfig, ENVIRONMENTS } from './helpers';

/** a deep copy of an environment's objects, for a test to break */
function objectsOf(env: string): any[] {
  return JSON.parse(JSON.stringify(synthesizeObjects(committedConfig(env))));
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
  readonly env?: 'prod' | 'dev' | 'staging';
  readonly production?: boolean;
  readonly breakIt: (objects: any[]) => void;
  readonly message: RegExp;
  readonly container?: string;
}

const CASES: Case[] = [
  { rule: 'host-namespaces', what: 'hostNetwork', breakIt: (o) => { pod(o).hostNetwork = true; }, message: /hostNetwork must be unset or false/ },
  { rule: 'host-namespaces', what: 'hostPID in the Job', breakIt: (o) => { job(o).spec.template.spec.hostPID = true; }, message: /hostPID/ },
  { rule: 'privileged', what: 'a privileged container', breakIt: (o) => { api(o).securityContext.privileged = true; }, message: /privileged must be unset or false/, container: 'api' },
  { rule: 'capabilities', what: 'ALL not dropped', breakIt: (o) => { api(o).securityContext.capabilities.drop = ['NET_RAW']; }, message: /drop must contain "ALL"/ },
  { rule: 'capabilities', what: 'a capability added', breakIt: (o) => { api(o).securityContext.capabilities.add = ['SYS_ADMIN']; }, message: /add may only hold NET_BIND_SERVICE \(got \["SYS_ADMIN"\]\)/ },
  { rule: 'volume-types', what: 'a hostPath volume', breakIt: (o) => { pod(o).volumes.push({ name: 'host', hostPath: { path: '/' } }); }, message: /volume "host" is of type hostPath/ },
  { rule: 'host-ports', what: 'a hostPort', breakIt: (o) => { api(o).ports[0].hostPort = 8000; }, message: /hostPort must be unset or 0 \(got 8000\)/ },
  { rule: 'apparmor', what: 'AppArmor unconfined', breakIt: (o) => { find(o, 'Deployment').spec.template.metadata.annotations['container.apparmor.security.beta.kubernetes.io/api'] = 'unconfined'; }, message: /must be runtime\/default or localhost/ },
  { rule: 'selinux', what: 'a custom SELinux user', breakIt: (o) => { api(o).securityContext.seLinuxOptions = { user: 'system_u', type: 'spc_t' }; }, message: /must not set user or role/ },
  { rule: 'proc-mount', what: 'an unmasked /proc', breakIt: (o) => { api(o).securityContext.procMount = 'Unmasked'; }, message: /procMount must be unset or Default \(got "Unmasked"\)/ },
  { rule: 'sysctls', what: 'an unsafe sysctl', breakIt: (o) => { pod(o).securityContext.sysctls = [{ name: 'kernel.msgmax', value: '1' }]; }, message: /sysctl kernel\.msgmax is not in the safe set/ },
  { rule: 'host-process', what: 'a Windows host process', breakIt: (o) => { api(o).securityContext.windowsOptions = { hostProcess: true }; }, message: /hostProcess must be unset or false/ },
  { rule: 'seccomp', what: 'no seccomp profile', breakIt: (o) => { delete pod(o).securityContext.seccompProfile; for (const c of pod(o).containers) delete c.securityContext.seccompProfile; }, message: /seccompProfile\.type must be RuntimeDefault or Localhost on the pod or every container/ },
  { rule: 'seccomp', what: 'an unconfined container', breakIt: (o) => { api(o).securityContext.seccompProfile = { type: 'Unconfined' }; }, message: /container "api" seccompProfile\.type must be RuntimeDefault/ },
  { rule: 'privilege-escalation', what: 'escalation left unset', breakIt: (o) => { delete api(o).securityContext.allowPrivilegeEscalation; }, message: /allowPrivilegeEscalation must be false, set explicitly \(got undefined\)/ },
  { rule: 'privilege-escalation', what: 'escalation in the init container', env: 'dev', breakIt: (o) => { init(o).securityContext.allowPrivilegeEscalation = true; }, message: /allowPrivilegeEscalation must be false/, container: 'migrate' },
  { rule: 'run-as-non-root', what: 'runAsNonRoot off', breakIt: (o) => { pod(o).securityContext.runAsNonRoot = false; for (const c of pod(o).containers) delete c.securityContext.runAsNonRoot; }, message: /runAsNonRoot must be true \(got false\)/ },
  { rule: 'run-as-non-root', what: 'a root container', breakIt: (o) => { api(o).securityContext.runAsUser = 0; }, message: /container "api" sets runAsUser: 0/ },
  { rule: 'probe-host', what: 'a probe with a host', breakIt: (o) => { api(o).livenessProbe.httpGet.host = '10.0.0.1'; }, message: /livenessProbe must not set host/ },
  { rule: 'explicit-identity', what: 'no numeric UID', breakIt: (o) => { delete pod(o).securityContext.runAsUser; delete api(o).securityContext.runAsUser; }, message: /container "api" needs a numeric, non-zero runAsUser/ },
  { rule: 'explicit-identity', what: 'no fsGroup', breakIt: (o) => { delete pod(o).securityContext.fsGroup; }, message: /fsGroup must be set/ },
  { rule: 'read-only-root', what: 'a writable root', breakIt: (o) => { api(o).securityContext.readOnlyRootFilesystem = false; }, message: /readOnlyRootFilesystem must be true \(got false\)/ },
  { rule: 'read-only-root', what: 'no /tmp', breakIt: (o) => { api(o).volumeMounts = api(o).volumeMounts.filter((m: any) => m.mountPath !== '/tmp'); }, message: /needs a writable emptyDir mounted at \/tmp/ },
  { rule: 'service-account', what: 'the default account', breakIt: (o) => { pod(o).serviceAccountName = 'default'; }, message: /serviceAccountName must name a dedicated ServiceAccount \(got "default"\)/ },
  { rule: 'service-account', what: 'a mounted token', breakIt: (o) => { pod(o).automountServiceAccountToken = true; }, message: /automountServiceAccountToken must be false \(got true\)/ },
  { rule: 'service-account', what: 'an account that mounts tokens', breakIt: (o) => { find(o, 'ServiceAccount').automountServiceAccountToken = true; }, message: /automountServiceAccountToken must be false/ },
  { rule: 'no-plaintext-secrets', what: 'a Secret with data', breakIt: (o) => { o.push({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'reviewpoint-prod' }, stringData: { 'db-url': 'x' } }); }, message: /a Secret with data must not be in the output/ },
  { rule: 'no-plaintext-secrets', what: 'a literal secret env value', breakIt: (o) => { api(o).env.push({ name: 'REVIEWPOINT_API_KEY_2', value: 'hunter2' }); }, message: /env REVIEWPOINT_API_KEY_2 has a literal value/ },
  { rule: 'no-plaintext-secrets', what: 'an API key in a probe header', breakIt: (o) => { api(o).readinessProbe.httpGet.httpHeaders = [{ name: 'X-API-Key', value: 'k' }]; }, message: /readinessProbe sends header X-API-Key/ },
  { rule: 'no-plaintext-secrets', what: 'a password in args', breakIt: (o) => { api(o).args = ['--password=hunter2']; }, message: /command\/args carry a secret \(--password=\.\.\.\)/ },
  { rule: 'no-plaintext-secrets', what: 'a secret in the ConfigMap', breakIt: (o) => { find(o, 'ConfigMap').data.REVIEWPOINT_JWT_SECRET_KEY = 'x'; }, message: /ConfigMap key REVIEWPOINT_JWT_SECRET_KEY looks like a secret/ },
  { rule: 'image-pinned', what: 'latest', breakIt: (o) => { api(o).image = 'ghcr.io/reviewpoint/backend:latest'; }, message: /must have a tag other than latest, or a digest/ },
  { rule: 'image-pinned', what: 'no tag at all', env: 'dev', production: false, breakIt: (o) => { init(o).image = 'ghcr.io/reviewpoint/backend-shell'; }, message: /must have a tag other than latest/, container: 'migrate' },
  { rule: 'image-pinned', what: 'a tag without digest in production', breakIt: (o) => { job(o).spec.template.spec.containers[0].image = 'ghcr.io/reviewpoint/backend-shell:1.4.2'; }, message: /must be pinned by digest \(@sha256:\.\.\.\) in production/, container: 'migrate' },
  { rule: 'resources', what: 'no memory limit', breakIt: (o) => { delete api(o).resources.limits; }, message: /resources must set limits\.memory/ },
  { rule: 'resources', what: 'no requests on the init container', env: 'dev', breakIt: (o) => { delete init(o).resources.requests; }, message: /resources must set requests\.cpu, requests\.memory/, container: 'migrate' },
  { rule: 'resources', what: 'no ephemeral storage', breakIt: (o) => { delete api(o).resources.requests['ephemeral-storage']; delete api(o).resources.limits['ephemeral-storage']; }, message: /resources must set requests\.ephemeral-storage, limits\.ephemeral-storage/ },
  { rule: 'probes', what: 'no readiness probe', breakIt: (o) => { delete api(o).readinessProbe; }, message: /readinessProbe is missing/ },
  { rule: 'probes', what: 'identical probes', breakIt: (o) => { api(o).livenessProbe = { ...api(o).readinessProbe }; }, message: /readinessProbe and livenessProbe are identical/ },
  { rule: 'probes', what: 'an undeclared probe port', breakIt: (o) => { api(o).startupProbe.httpGet.port = 9000; }, message: /startupProbe uses port 9000, which the container does not declare/ },
  { rule: 'network', what: 'no default deny', breakIt: (o) => { o.splice(o.findIndex((x) => x.metadata.name === 'default-deny'), 1); }, message: /needs a default-deny NetworkPolicy/ },
  { rule: 'network', what: 'an egress rule to everyone', breakIt: (o) => { o.find((x) => x.metadata.name === 'reviewpoint-backend-egress').spec.egress.push({}); }, message: /egress\[2\] has no to: it allows every peer/ },
  { rule: 'network', what: 'no egress policy for the pods', breakIt: (o) => { o.splice(o.findIndex((x) => x.metadata.name === 'reviewpoint-backend-egress'), 1); }, message: /no NetworkPolicy allows its egress/ },
  { rule: 'availability', what: 'one replica in production', breakIt: (o) => { find(o, 'HorizontalPodAutoscaler').spec.minReplicas = 1; }, message: /needs at least 2 replicas in production \(got 1 as HPA minReplicas\)/ },
  { rule: 'availability', what: 'no PodDisruptionBudget in production', breakIt: (o) => { o.splice(o.findIndex((x) => x.kind === 'PodDisruptionBudget'), 1); }, message: /needs a PodDisruptionBudget that selects its pods/ },
  { rule: 'availability', what: 'no spreading', breakIt: (o) => { delete pod(o).topologySpreadConstraints; }, message: /needs topologySpreadConstraints/ },
  { rule: 'job-bounds', what: 'an unbounded Job', breakIt: (o) => { delete job(o).spec.activeDeadlineSeconds; }, message: /must set activeDeadlineSeconds/ },
  { rule: 'job-bounds', what: 'a Job that piles up', breakIt: (o) => { delete job(o).spec.ttlSecondsAfterFinished; delete job(o).metadata.annotations['argocd.argoproj.io/hook-delete-policy']; }, message: /must set ttlSecondsAfterFinished/ },
  { rule: 'namespace-restricted', what: 'a baseline namespace', breakIt: (o) => { find(o, 'Namespace').metadata.labels['pod-security.kubernetes.io/enforce'] = 'baseline'; }, message: /enforce must be "restricted" \(got "baseline"\)/ },
  { rule: 'namespace-restricted', what: 'no Namespace object', breakIt: (o) => { o.splice(o.findIndex((x) => x.kind === 'Namespace'), 1); }, message: /is used but not part of the output/ },
  { rule: 'consistency', what: 'a selector that misses the template', breakIt: (o) => { find(o, 'Deployment').spec.selector.matchLabels['app.kubernetes.io/component'] = 'web'; }, message: /spec\.selector .* does not match the template labels/ },
  { rule: 'consistency', what: 'a Service that selects nothing', breakIt: (o) => { find(o, 'Service').spec.selector = { app: 'other' }; }, message: /selector \{"app":"other"\} selects no pod template/ },
  { rule: 'consistency', what: 'a ServiceMonitor that selects no Service', env: 'staging', breakIt: (o) => { find(o, 'ServiceMonitor').spec.selector.matchLabels = { app: 'other' }; }, message: /selector \{"app":"other"\} selects no Service in the output/ },
  { rule: 'consistency', what: 'a duplicate env name', breakIt: (o) => { api(o).env.push({ name: 'REVIEWPOINT_DB_URL', valueFrom: api(o).env[0].valueFrom }); }, message: /duplicate env names REVIEWPOINT_DB_URL/ },
];

describe.each(ENVIRONMENTS)('the committed %s output', (env) => {
  test('passes every rule', () => {
    const config = committedConfig(env);
    expect(checkPolicy(synthesizeObjects(config), { environment: env, production: config.production })).toEqual([]);
  });
});

describe('every rule can fail', () => {
  test.each(CASES.map((c) => [c.rule, c.what, c] as const))('%s: fails on %s', (_rule, _what, c) => {
    // GIVEN valid output, broken in one place
    const objects = objectsOf(c.env ?? 'prod');
    c.breakIt(objects);
    // WHEN the policy runs
    const violations: Violation[] = checkPolicy(objects as Manifest[], { environment: 'prod', production: c.production ?? (c.env ?? 'prod') === 'prod' });
    // THEN this rule reports it, naming the object and (where it applies) the container
    const mine = violations.filter((v) => v.rule === c.rule);
    expect(mine.map((v) => v.message).join('\n')).toMatch(c.message);
    expect(mine[0].object).toMatch(/^[A-Za-z]+\/[a-z0-9.-]+$/);
    if (c.container) expect(mine.map((v) => v.container)).toContain(c.container);
  });

  test('covers every rule of the contract', () => {
    expect([...new Set(CASES.map((c) => c.rule))].sort()).toEqual(RULES.map((r) => r.id).sort());
  });
});
