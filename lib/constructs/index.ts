/**
 * Hardened Kubernetes building blocks for one service, for cdk8s charts. They know Kubernetes,
 * the Pod Security Standards' restricted profile and the delivery engines (Argo CD, Flux), and
 * nothing of any one application: names, ports, paths and settings are props.
 */
export * from './annotations';
export * from './availability';
export * from './blocked-paths';
export * from './cron-schedule';
export * from './cron-workload';
export * from './external-secret';
export * from './gitops';
export * from './hardened-container';
export * from './http-route';
export * from './migration-job';
export * from './network-policies';
export * from './pod-spec';
export * from './probes';
export * from './restricted-namespace';
export * from './scheduling';
export * from './security';
export * from './service-monitor';
export * from './volume-claim';
export * from './web-app';
export * from './web-deployment';
export * from './web-service';
export * from './worker';
