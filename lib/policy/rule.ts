/**
 * The shapes a rule takes: a check of each pod template, of each container (init containers
 * included), or of the whole set of an environment's objects. Each reads plain manifests, so it
 * checks what is written to dist/, whatever construct produced it.
 */
import { containersOf, podTemplates, type ContainerAt, type PodTemplate } from './pods';
import type { Manifest, PolicyContext, Rule, Violation } from './types';

export type Source = Rule['source'];

/** a rule checked on each pod template; each message is one violation */
export function podRule(
  id: string,
  source: Source,
  description: string,
  check: (pod: PodTemplate, ctx: PolicyContext) => string[],
): Rule {
  return eachPod(id, source, description, (pod, ctx) =>
    check(pod, ctx).map((message) => ({ rule: id, object: pod.ref, message })),
  );
}

/** a rule checked on each container, init containers included */
export function containerRule(
  id: string,
  source: Source,
  description: string,
  check: (c: ContainerAt, ctx: PolicyContext) => string[],
): Rule {
  return eachPod(id, source, description, (pod, ctx) =>
    containersOf(pod).flatMap((c) =>
      check(c, ctx).map((message) => ({ rule: id, object: pod.ref, container: c.container.name ?? '?', message })),
    ),
  );
}

function eachPod(
  id: string,
  source: Source,
  description: string,
  violations: (pod: PodTemplate, ctx: PolicyContext) => Violation[],
): Rule {
  return setRule(id, source, description, (manifests, ctx) =>
    podTemplates(manifests).flatMap((pod) => violations(pod, ctx)),
  );
}

/** a rule over the whole set of manifests of an environment */
export function setRule(
  id: string,
  source: Source,
  description: string,
  check: (manifests: readonly Manifest[], ctx: PolicyContext) => Violation[],
): Rule {
  return { id, source, description, check };
}

/** a value as it is shown in messages */
export const show = (v: unknown) => JSON.stringify(v);
