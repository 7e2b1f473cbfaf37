/**
 * What Pod Security Admission checks against, by version: the version a namespace enforces
 * decides which checks run and which values the growing lists allow.
 * @see https://github.com/kubernetes/pod-security-admission/tree/master/policy (check_*.go)
 */

/** a Kubernetes minor version, as the label pod-security.kubernetes.io/enforce-version writes it */
export type PodSecurityVersion = `v1.${number}`;

/** the version the namespaces enforce: the namespace-restricted rule holds their label to it */
export const ENFORCED_POD_SECURITY_VERSION: PodSecurityVersion = 'v1.28';

/** entries of a list that grows, under the version that added them */
type Additions = Readonly<Record<PodSecurityVersion, readonly string[]>>;

const minor = (v: PodSecurityVersion) => Number(v.slice('v1.'.length));

export function atLeast(version: PodSecurityVersion, since: PodSecurityVersion): boolean {
  return minor(version) >= minor(since);
}

/** a growing list as it stands at `version` */
export function allowedAt(additions: Additions, version: PodSecurityVersion): ReadonlySet<string> {
  return new Set(
    Object.entries(additions)
      .filter(([since]) => atLeast(version, since as PodSecurityVersion))
      .flatMap(([, names]) => names),
  );
}

/** sysctls that are namespaced and isolated per pod */
export const SAFE_SYSCTLS: Additions = {
  'v1.0': [
    'kernel.shm_rmid_forced',
    'net.ipv4.ip_local_port_range',
    'net.ipv4.tcp_syncookies',
    'net.ipv4.ping_group_range',
    'net.ipv4.ip_unprivileged_port_start',
  ],
  'v1.27': ['net.ipv4.ip_local_reserved_ports'],
  'v1.29': [
    'net.ipv4.tcp_keepalive_time',
    'net.ipv4.tcp_fin_timeout',
    'net.ipv4.tcp_keepalive_intvl',
    'net.ipv4.tcp_keepalive_probes',
  ],
  'v1.32': ['net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem'],
  'v1.37': ['net.ipv4.tcp_slow_start_after_idle', 'net.ipv4.tcp_notsent_lowat'],
};

/** seLinuxOptions.type values; '' is an unset type */
export const SELINUX_TYPES: Additions = {
  'v1.0': ['', 'container_t', 'container_init_t', 'container_kvm_t'],
  'v1.31': ['container_engine_t'],
};

/** what a container runtime grants when nothing is added or dropped: baseline allows adding these */
export const DEFAULT_CAPABILITIES: ReadonlySet<string> = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);

/** the volume types restricted allows ("image" has no field in the 1.28 API yet: the schema refuses it) */
export const RESTRICTED_VOLUMES: readonly string[] = [
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'image',
  'persistentVolumeClaim',
  'projected',
  'secret',
];

/** seccomp and AppArmor profile types both levels allow */
export const CONFINED_PROFILES: readonly string[] = ['RuntimeDefault', 'Localhost'];
