import { RULES, type PodSecurityVersion, type Violation } from '../lib/policy';

const PSS = RULES.filter((r) => r.source !== 'hardening');

/** a pod that meets the restricted profile, for a case to change in one place */
function restrictedPod(): any {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'ns', annotations: {} },
    spec: {
      securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [
        {
          name: 'app',
          image: 'example.com/app:1',
          securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
        },
      ],
      volumes: [{ name: 'tmp', emptyDir: {} }],
    },
  };
}

/** every Pod Security Standards finding for the pod, at a version */
function findings(pod: any, version?: PodSecurityVersion): Violation[] {
  const context = { environment: 'test', production: false, ...(version ? { podSecurityVersion: version } : {}) };
  return PSS.flatMap((r) => r.check([pod], context));
}

const app = (pod: any) => pod.spec.containers[0];

interface Case {
  readonly rule: string;
  readonly what: string;
  readonly edit: (pod: any) => void;
  readonly version?: PodSecurityVersion;
}

interface FailCase extends Case {
  /** every finding of every check: the one expected, at the weakest level it breaks */
  readonly expected: Omit<Violation, 'rule' | 'object'>;
}

const PASSES: Case[] = [
  {
    rule: 'baseline/host-namespaces',
    what: 'hostNetwork false',
    edit: (p) => {
      p.spec.hostNetwork = false;
    },
  },
  {
    rule: 'baseline/privileged',
    what: 'privileged false',
    edit: (p) => {
      app(p).securityContext.privileged = false;
    },
  },
  {
    rule: 'baseline/capabilities',
    what: 'CHOWN added, which is in the default set',
    edit: (p) => {
      app(p).securityContext.capabilities.add = ['CHOWN'];
    },
  },
  {
    rule: 'baseline/host-path-volumes',
    what: 'a persistentVolumeClaim',
    edit: (p) => {
      p.spec.volumes.push({ name: 'd', persistentVolumeClaim: { claimName: 'd' } });
    },
  },
  {
    rule: 'baseline/host-ports',
    what: 'hostPort 0',
    edit: (p) => {
      app(p).ports = [{ containerPort: 80, hostPort: 0 }];
    },
  },
  {
    rule: 'baseline/apparmor',
    what: 'a localhost profile',
    edit: (p) => {
      p.metadata.annotations['container.apparmor.security.beta.kubernetes.io/app'] = 'localhost/app';
    },
  },
  {
    rule: 'baseline/selinux',
    what: 'type container_init_t',
    edit: (p) => {
      app(p).securityContext.seLinuxOptions = { type: 'container_init_t' };
    },
  },
  {
    rule: 'baseline/selinux',
    what: 'type container_engine_t at v1.31',
    version: 'v1.31',
    edit: (p) => {
      app(p).securityContext.seLinuxOptions = { type: 'container_engine_t' };
    },
  },
  {
    rule: 'baseline/proc-mount',
    what: 'procMount Default',
    edit: (p) => {
      app(p).securityContext.procMount = 'Default';
    },
  },
  {
    rule: 'baseline/seccomp',
    what: 'a Localhost profile on the container',
    edit: (p) => {
      app(p).securityContext.seccompProfile = { type: 'Localhost', localhostProfile: 'app.json' };
    },
  },
  {
    rule: 'baseline/sysctls',
    what: 'net.ipv4.ip_local_reserved_ports (safe from v1.27)',
    edit: (p) => {
      p.spec.securityContext.sysctls = [{ name: 'net.ipv4.ip_local_reserved_ports', value: '8000' }];
    },
  },
  {
    rule: 'baseline/sysctls',
    what: 'net.ipv4.tcp_keepalive_time at v1.29',
    version: 'v1.29',
    edit: (p) => {
      p.spec.securityContext.sysctls = [{ name: 'net.ipv4.tcp_keepalive_time', value: '60' }];
    },
  },
  {
    rule: 'baseline/host-process',
    what: 'hostProcess false',
    edit: (p) => {
      p.spec.securityContext.windowsOptions = { hostProcess: false };
    },
  },
  {
    rule: 'restricted/volume-types',
    what: 'a projected volume',
    edit: (p) => {
      p.spec.volumes.push({ name: 'token', projected: { sources: [] } });
    },
  },
  {
    rule: 'restricted/privilege-escalation',
    what: 'a Windows pod that leaves it unset',
    edit: (p) => {
      p.spec.os = { name: 'windows' };
      delete app(p).securityContext.allowPrivilegeEscalation;
    },
  },
  {
    rule: 'restricted/run-as-non-root',
    what: 'runAsNonRoot on every container instead of the pod',
    edit: (p) => {
      delete p.spec.securityContext.runAsNonRoot;
      app(p).securityContext.runAsNonRoot = true;
    },
  },
  {
    rule: 'restricted/run-as-user',
    what: 'a non-zero runAsUser',
    edit: (p) => {
      p.spec.securityContext.runAsUser = 1000;
    },
  },
  {
    rule: 'restricted/run-as-user',
    what: 'runAsUser 0 at v1.22, before the check existed',
    version: 'v1.22',
    edit: (p) => {
      p.spec.securityContext.runAsUser = 0;
    },
  },
  {
    rule: 'restricted/seccomp',
    what: 'RuntimeDefault on every container instead of the pod',
    edit: (p) => {
      delete p.spec.securityContext.seccompProfile;
      app(p).securityContext.seccompProfile = { type: 'RuntimeDefault' };
    },
  },
  {
    rule: 'restricted/capabilities',
    what: 'NET_BIND_SERVICE added',
    edit: (p) => {
      app(p).securityContext.capabilities.add = ['NET_BIND_SERVICE'];
    },
  },
  {
    rule: 'restricted/proc-mount',
    what: 'an unmasked /proc at v1.28, where only baseline checks it',
    edit: (p) => {
      p.spec.hostUsers = false;
      app(p).securityContext.procMount = 'Unmasked';
    },
  },
];

const FAILS: FailCase[] = [
  {
    rule: 'baseline/host-namespaces',
    what: 'hostPID',
    edit: (p) => {
      p.spec.hostPID = true;
    },
    expected: { message: 'hostPID must be unset or false (got true)' },
  },
  {
    rule: 'baseline/privileged',
    what: 'a privileged container',
    edit: (p) => {
      app(p).securityContext.privileged = true;
    },
    expected: { container: 'app', message: 'securityContext.privileged must be unset or false (got true)' },
  },
  {
    rule: 'baseline/capabilities',
    what: 'SYS_ADMIN added',
    edit: (p) => {
      app(p).securityContext.capabilities.add = ['SYS_ADMIN'];
    },
    expected: {
      container: 'app',
      message: expect.stringMatching(
        /^securityContext\.capabilities\.add must not hold \["SYS_ADMIN"\], outside the runtime default set; allowed: AUDIT_WRITE, CHOWN, /,
      ),
    },
  },
  {
    rule: 'baseline/host-path-volumes',
    what: 'a hostPath volume',
    edit: (p) => {
      p.spec.volumes.push({ name: 'host', hostPath: { path: '/' } });
    },
    expected: { message: 'volume "host" must not be a hostPath volume' },
  },
  {
    rule: 'baseline/host-ports',
    what: 'a hostPort',
    edit: (p) => {
      app(p).ports = [{ containerPort: 80, hostPort: 8080 }];
    },
    expected: { container: 'app', message: 'ports[].hostPort must be unset or 0 (got 8080)' },
  },
  {
    rule: 'baseline/apparmor',
    what: 'AppArmor unconfined',
    edit: (p) => {
      p.metadata.annotations['container.apparmor.security.beta.kubernetes.io/app'] = 'unconfined';
    },
    expected: {
      message:
        'annotation container.apparmor.security.beta.kubernetes.io/app must be runtime/default or localhost/* (got "unconfined")',
    },
  },
  {
    rule: 'baseline/selinux',
    what: 'a custom SELinux user',
    edit: (p) => {
      p.spec.securityContext.seLinuxOptions = { user: 'system_u' };
    },
    expected: { message: 'pod securityContext.seLinuxOptions must not set user or role (got {"user":"system_u"})' },
  },
  {
    rule: 'baseline/selinux',
    what: 'type container_engine_t at v1.28 (allowed from v1.31)',
    edit: (p) => {
      app(p).securityContext.seLinuxOptions = { type: 'container_engine_t' };
    },
    expected: {
      container: 'app',
      message:
        'securityContext.seLinuxOptions.type must be unset or one of container_t, container_init_t, container_kvm_t at v1.28 (got "container_engine_t")',
    },
  },
  {
    rule: 'baseline/proc-mount',
    what: 'an unmasked /proc',
    edit: (p) => {
      app(p).securityContext.procMount = 'Unmasked';
    },
    expected: { container: 'app', message: 'securityContext.procMount must be unset or Default (got "Unmasked")' },
  },
  {
    rule: 'baseline/seccomp',
    what: 'an Unconfined container',
    edit: (p) => {
      app(p).securityContext.seccompProfile = { type: 'Unconfined' };
    },
    expected: {
      container: 'app',
      message: 'securityContext.seccompProfile.type must be RuntimeDefault or Localhost (got "Unconfined")',
    },
  },
  {
    rule: 'baseline/sysctls',
    what: 'net.ipv4.tcp_keepalive_time at v1.28 (safe from v1.29)',
    edit: (p) => {
      p.spec.securityContext.sysctls = [{ name: 'net.ipv4.tcp_keepalive_time', value: '60' }];
    },
    expected: {
      message:
        'sysctl net.ipv4.tcp_keepalive_time is not safe at v1.28; allowed: kernel.shm_rmid_forced, net.ipv4.ip_local_port_range, net.ipv4.tcp_syncookies, net.ipv4.ping_group_range, net.ipv4.ip_unprivileged_port_start, net.ipv4.ip_local_reserved_ports',
    },
  },
  {
    rule: 'baseline/host-process',
    what: 'a Windows host process',
    edit: (p) => {
      app(p).securityContext.windowsOptions = { hostProcess: true };
    },
    expected: { container: 'app', message: 'securityContext.windowsOptions.hostProcess must be unset or false' },
  },
  {
    rule: 'restricted/volume-types',
    what: 'an nfs volume',
    edit: (p) => {
      p.spec.volumes.push({ name: 'share', nfs: { server: 'nfs', path: '/' } });
    },
    expected: { message: expect.stringMatching(/^volume "share" is of type nfs; allowed: configMap, csi, /) },
  },
  {
    rule: 'restricted/privilege-escalation',
    what: 'escalation left unset',
    edit: (p) => {
      delete app(p).securityContext.allowPrivilegeEscalation;
    },
    expected: {
      container: 'app',
      message: 'securityContext.allowPrivilegeEscalation must be false, set explicitly (got undefined)',
    },
  },
  {
    rule: 'restricted/run-as-non-root',
    what: 'runAsNonRoot set nowhere',
    edit: (p) => {
      delete p.spec.securityContext.runAsNonRoot;
    },
    expected: {
      container: 'app',
      message: 'securityContext.runAsNonRoot must be true, here or on the pod (got undefined on the pod)',
    },
  },
  {
    rule: 'restricted/run-as-non-root',
    what: 'a container that sets runAsNonRoot false',
    edit: (p) => {
      app(p).securityContext.runAsNonRoot = false;
    },
    expected: { container: 'app', message: 'securityContext.runAsNonRoot must not be false' },
  },
  {
    rule: 'restricted/run-as-user',
    what: 'runAsUser 0 on the pod',
    edit: (p) => {
      p.spec.securityContext.runAsUser = 0;
    },
    expected: { message: 'pod securityContext.runAsUser must not be 0' },
  },
  {
    rule: 'restricted/seccomp',
    what: 'no profile anywhere',
    edit: (p) => {
      delete p.spec.securityContext.seccompProfile;
    },
    expected: {
      container: 'app',
      message: 'securityContext.seccompProfile.type must be RuntimeDefault or Localhost, here or on the pod (got none)',
    },
  },
  {
    rule: 'restricted/capabilities',
    what: 'ALL not dropped',
    edit: (p) => {
      app(p).securityContext.capabilities.drop = ['NET_RAW'];
    },
    expected: { container: 'app', message: 'securityContext.capabilities.drop must contain "ALL" (got ["NET_RAW"])' },
  },
  {
    rule: 'restricted/capabilities',
    what: 'CHOWN added, which baseline allows',
    edit: (p) => {
      app(p).securityContext.capabilities.add = ['CHOWN'];
    },
    expected: {
      container: 'app',
      message: 'securityContext.capabilities.add may only hold NET_BIND_SERVICE (got ["CHOWN"])',
    },
  },
  {
    rule: 'restricted/proc-mount',
    what: 'an unmasked /proc in a user namespace at v1.35',
    version: 'v1.35',
    edit: (p) => {
      p.spec.hostUsers = false;
      app(p).securityContext.procMount = 'Unmasked';
    },
    expected: { container: 'app', message: 'securityContext.procMount must be unset or Default (got "Unmasked")' },
  },
];

describe('a pod that meets the restricted profile', () => {
  test.each(['v1.28', 'v1.22', 'v1.35'] as const)('passes every check at %s', (version) => {
    expect(findings(restrictedPod(), version)).toEqual([]);
  });
});

describe('each check passes what its level allows', () => {
  test.each(PASSES.map((c) => [c.rule, c.what, c] as const))('%s: passes %s', (_rule, _what, c) => {
    // GIVEN a restricted pod, changed in one place
    const pod = restrictedPod();
    c.edit(pod);
    // WHEN the check runs at the case's version (the enforced one by default)
    // THEN it finds nothing
    expect(findings(pod, c.version).filter((v) => v.rule === c.rule)).toEqual([]);
  });
});

describe('each check fails what its level refuses, and only at that level', () => {
  test.each(FAILS.map((c) => [c.rule, c.what, c] as const))('%s: fails when %s', (_rule, _what, c) => {
    // GIVEN a restricted pod, broken in one place
    const pod = restrictedPod();
    c.edit(pod);
    // WHEN every check runs
    // THEN this one reports it, once, and no check of another level repeats it
    expect(findings(pod, c.version)).toEqual([{ rule: c.rule, object: 'Pod/p', ...c.expected }]);
  });

  test('covers every check with a passing and a failing case', () => {
    const ids = PSS.map((r) => r.id).sort();
    expect([...new Set(PASSES.map((c) => c.rule))].sort()).toEqual(ids);
    expect([...new Set(FAILS.map((c) => c.rule))].sort()).toEqual(ids);
  });
});
