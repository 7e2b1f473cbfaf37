/**
 * An image reference as a release pipeline writes it, `repository[:tag][@sha256:digest]`, split
 * into the config's `image` fields. Only the shape is read here; whether the repository, tag and
 * digest are allowed is the config validator's call, so the rules live in one place.
 */
import type { ImageConfig } from './config/schema';

export const IMAGE_REFERENCE_FORMAT =
  'repository[:tag][@sha256:digest], e.g. ghcr.io/reviewpoint/backend:1.4.3@sha256:<64 hex>';

/**
 * The parts of any reference, as written (an empty part stays ""): what the policy and the
 * environment README read from a rendered container's `image`.
 */
export function imageParts(ref: string): { repository: string; tag?: string; digest?: string } {
  const at = ref.indexOf('@');
  const name = at === -1 ? ref : ref.slice(0, at);
  const digest = at === -1 ? undefined : ref.slice(at + 1);
  // a ":" after the last "/" starts the tag; one before it is a registry port (host:5000/repo)
  const colon = name.lastIndexOf(':');
  const hasTag = colon > name.lastIndexOf('/');
  const repository = hasTag ? name.slice(0, colon) : name;
  const tag = hasTag ? name.slice(colon + 1) : undefined;
  return { repository, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

/** @throws Error naming the reference and the allowed form, when a part is empty */
export function parseImageReference(ref: string): ImageConfig {
  const bad = (why: string): never => {
    throw new Error(`got ${JSON.stringify(ref)}: ${why}; allowed: ${IMAGE_REFERENCE_FORMAT}`);
  };
  if (ref.trim() !== ref || ref === '') bad('empty or surrounded by spaces');
  const parts = imageParts(ref);
  if (parts.digest === '') bad('nothing after "@"');
  if (parts.repository === '') bad('no repository');
  if (parts.tag === '') bad('nothing after ":"');
  return parts;
}

/** `repo:tag@sha256:...`: the digest wins at pull time, the tag stays readable */
export function imageReference(image: ImageConfig): string {
  return `${image.repository}${image.tag ? `:${image.tag}` : ''}${image.digest ? `@${image.digest}` : ''}`;
}
