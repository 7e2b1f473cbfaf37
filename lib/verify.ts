/**
 * The gate between synthesis and publishing: schema first (an object the API server would
 * reject), then the security contract.
 */
import { checkPolicy, PolicyError, type Manifest, type PolicyContext } from './policy';
import { validateSchema } from './schema';

/** @throws PolicyError listing every violation of the failing check */
export function verifyManifests(manifests: readonly Manifest[], context: PolicyContext): void {
  const schema = manifests.flatMap(validateSchema);
  if (schema.length > 0) throw new PolicyError(context.environment, schema, 'schema');
  const policy = checkPolicy(manifests, context);
  if (policy.length > 0) throw new PolicyError(context.environment, policy);
}
