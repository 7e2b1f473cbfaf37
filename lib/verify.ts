/**
 * The gate between synthesis and publishing: the schema, then what the API server checks beyond
 * it (both: an object the API server would reject), then the security contract, then delivery.
 */
import { validateApiServer } from './api-server';
import type { EnvironmentConfig } from './config';
import { checkRenderedDelivery } from './delivery';
import type { RenderedEnvironment } from './render';
import { checkPolicy, PolicyError, type Manifest, type PolicyContext, type Violation } from './policy';
import { validateSchema } from './schema';

export interface Violations {
  readonly schema: Violation[];
  /** what the API server refuses beyond the schema; empty while the schema fails */
  readonly api: Violation[];
  readonly policy: Violation[];
}

/** every schema, API server and policy violation of one environment's manifests */
export function findViolations(manifests: readonly Manifest[], context: PolicyContext): Violations {
  const schema = manifests.flatMap(validateSchema);
  // the API server checks read values the schema vouches for (quantities, lists)
  const api = schema.length > 0 ? [] : manifests.flatMap(validateApiServer);
  return { schema, api, policy: checkPolicy(manifests, context) };
}

/** @throws PolicyError listing every violation of the first failing check, schema first */
export function verifyManifests(manifests: readonly Manifest[], context: PolicyContext): void {
  const { schema, api, policy } = findViolations(manifests, context);
  if (schema.length > 0) throw new PolicyError(context.environment, schema, 'schema');
  if (api.length > 0) throw new PolicyError(context.environment, api, 'API server');
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
