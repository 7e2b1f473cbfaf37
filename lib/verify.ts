/**
 * The gate between synthesis and publishing: schema first (an object the API server would
 * reject), then the security contract.
 */
import type { EnvironmentConfig } from './config';
import { checkRenderedDelivery } from './delivery';
import type { RenderedEnvironment } from './render';
import { checkPolicy, PolicyError, type Manifest, type PolicyContext, type Violation } from './policy';
import { validateSchema } from './schema';

/** every schema and policy violation of one environment's manifests */
export function findViolations(manifests: readonly Manifest[], context: PolicyContext): { schema: Violation[]; policy: Violation[] } {
  return { schema: manifests.flatMap(validateSchema), policy: checkPolicy(manifests, context) };
}

/** @throws PolicyError listing every violation of the first failing check, schema first */
export function verifyManifests(manifests: readonly Manifest[], context: PolicyContext): void {
  const { schema, policy } = findViolations(manifests, context);
  if (schema.length > 0) throw new PolicyError(context.environment, schema, 'schema');
  if (policy.length > 0) throw new PolicyError(context.environment, policy);
}

/**
 * @throws PolicyError listing the delivery objects' departures from their CRD schemas, or every way
 * Argo CD, Flux or kubectl would fail to bring the environment up
 */
export function verifyDelivery(config: EnvironmentConfig, rendered: RenderedEnvironment): void {
  const schema = rendered.delivery.flatMap(validateSchema);
  if (schema.length > 0) throw new PolicyError(config.name, schema, 'schema');
  const violations = checkRenderedDelivery(config, rendered);
  if (violations.length > 0) throw new PolicyError(config.name, violations, 'delivery');
}
