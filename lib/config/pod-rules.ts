/**
 * The rules of the app's pod fields that span fields: labels the synth sets, annotations,
 * scheduling, env and envFrom judged as the backend reads them, and the probes.
 */
import { annotationFindings } from '../annotation-policy';
import { CONFIG_MAP_NAME, managedEnvField } from '../app-env';
import { HTTP_PORT, METRICS_PATH, recommendedLabels } from '../app/labels';
import { judgeSetting, settingName } from '../backend-settings';
import { CONFIG_CHECKSUM } from '../constructs/annotations';
import { HTTP_PORT_NAME, probeProblems } from '../constructs/probes';
import { affinityProblems, tolerationProblems } from '../constructs/scheduling';
import { looksLikeSecretName } from '../secret-names';
import type { EnvironmentConfig } from './schema';

type Fail = (field: string, problem: string) => void;

/**
 * Why a variable must not reach the backend, for settings.extraEnv and app.env alike, judged as
 * the backend reads it: a name the manifests set (in any case), a literal secret, a switch the
 * gate refuses. `value` undefined: it comes from a reference, so it may be anything.
 */
export function envProblems(name: string, value: string | undefined, c: EnvironmentConfig): string[] {
  const out: string[] = [];
  const field = managedEnvField(name);
  if (field)
    out.push(
      `got ${name}, which the manifests set themselves (the backend reads names in any case); allowed: ${field}`,
    );
  if (value !== undefined && looksLikeSecretName(name))
    out.push(
      `got a literal value for a secret-looking name (${name}); allowed: secrets only by reference (valueFrom.secretKeyRef in app.env) from a Secret such as "${c.secrets.name}", never written into manifests`,
    );
  const finding = judgeSetting(name, value, c.production);
  if (finding)
    out.push(
      `got ${value === undefined ? `a reference for ${name}, whose value the synth cannot see,` : JSON.stringify(value)}${finding.where}: ${finding.problem}; allowed: ${finding.allowed}`,
    );
  return out;
}

/** annotations the config passes through, by the annotation policy: no engine control key, snippet or credential */
function checkAnnotations(annotations: Readonly<Record<string, string>>, field: string, fail: Fail): void {
  for (const f of annotationFindings(annotations)) {
    if (f.key === undefined) fail(field, `got ${f.problem}; allowed: ${f.allowed}`);
    else fail(`${field}.${f.key}`, `got ${JSON.stringify(f.key)}: ${f.problem}; allowed: ${f.allowed}`);
  }
}

/** the Secrets and ConfigMaps app.env and app.envFrom read: prerequisites of the team's */
export function envSources(c: EnvironmentConfig): Array<{ kind: 'Secret' | 'ConfigMap'; name: string }> {
  return [
    ...c.app.env.flatMap((e) => [
      ...(e.valueFrom?.secretKeyRef ? [{ kind: 'Secret' as const, name: e.valueFrom.secretKeyRef.name }] : []),
      ...(e.valueFrom?.configMapKeyRef ? [{ kind: 'ConfigMap' as const, name: e.valueFrom.configMapKeyRef.name }] : []),
    ]),
    ...c.app.envFrom.map((e) =>
      e.secretRef
        ? { kind: 'Secret' as const, name: e.secretRef.name }
        : { kind: 'ConfigMap' as const, name: e.configMapRef!.name },
    ),
  ];
}

export function checkPodRules(c: EnvironmentConfig, fail: Fail): void {
  const app = c.app;
  const synthLabels = Object.keys(recommendedLabels(c, 'api', app.image));
  for (const key of Object.keys(app.podLabels))
    if (synthLabels.includes(key))
      fail(
        `app.podLabels.${key}`,
        `got ${key}, a label the synth sets on the pods (selectors and policies select by it); allowed: a label of your own, not ${synthLabels.join(', ')}`,
      );
  checkAnnotations(app.podAnnotations, 'app.podAnnotations', fail);
  checkAnnotations(app.serviceAccount.annotations, 'app.serviceAccount.annotations', fail);
  if (CONFIG_CHECKSUM in app.podAnnotations)
    fail(
      `app.podAnnotations.${CONFIG_CHECKSUM}`,
      'got the annotation the synth sets from the settings, to roll the pods when they change; allowed: any other annotation',
    );

  const scheduling = [
    ['app', app.tolerations, app.affinity],
    ['migration', c.migration.tolerations ?? [], c.migration.affinity],
  ] as const;
  for (const [at, tolerations, affinity] of scheduling) {
    tolerations.forEach((t, i) => {
      for (const [f, p] of tolerationProblems(t)) fail(`${at}.tolerations.${i}.${f}`, p);
    });
    if (affinity) for (const [f, p] of affinityProblems(affinity)) fail(`${at}.affinity.${f}`, p);
  }
  if (c.migration.strategy !== 'job')
    for (const field of ['nodeSelector', 'tolerations', 'affinity'] as const)
      if (c.migration[field] !== undefined)
        fail(
          `migration.${field}`,
          `got ${JSON.stringify(c.migration[field])} with strategy "${c.migration.strategy}": only a migration Job has pods of its own (an init container runs in the app's pods); allowed: app.${field}, or strategy "job"`,
        );

  const seen = new Map<string, string>(
    Object.keys(c.settings.extraEnv).map((n) => [settingName(n), `settings.extraEnv.${n}`]),
  );
  app.env.forEach((e, i) => {
    const field = `app.env.${i}`;
    for (const p of envProblems(e.name, e.value, c)) fail(field, p);
    const from = e.valueFrom;
    if (from?.configMapKeyRef && looksLikeSecretName(e.name))
      fail(
        `${field}.valueFrom.configMapKeyRef`,
        `got a ConfigMap for a secret-looking name (${e.name}): a ConfigMap is plain text; allowed: valueFrom.secretKeyRef`,
      );
    const before = seen.get(settingName(e.name));
    if (before)
      fail(
        `${field}.name`,
        `got ${e.name}, set already by ${before}: one setting to the backend, which reads names in any case; allowed: one of them`,
      );
    seen.set(settingName(e.name), `${field} (${e.name})`);
  });
  const ownConfigMap = (name: string | undefined, field: string) => {
    if (name === CONFIG_MAP_NAME)
      fail(
        field,
        `got "${name}", the ConfigMap the synth writes from settings; allowed: settings.extraEnv for a literal, or a ConfigMap of your own`,
      );
  };
  app.env.forEach((e, i) =>
    ownConfigMap(e.valueFrom?.configMapKeyRef?.name, `app.env.${i}.valueFrom.configMapKeyRef.name`),
  );
  app.envFrom.forEach((e, i) => ownConfigMap(e.configMapRef?.name, `app.envFrom.${i}.configMapRef.name`));

  const probes = { ...app.probes, path: app.probes.path ?? METRICS_PATH };
  for (const [f, p] of probeProblems(probes, [HTTP_PORT_NAME, HTTP_PORT])) fail(`app.probes.${f}`, p);
}
