/**
 * nginx's size syntax, as ingress-nginx reads annotations such as proxy-body-size into
 * client_max_body_size (ngx_parse_offset): bytes, or k, m, g in powers of 1024; 0 turns the check
 * off. A module of its own (no imports): the config schema and the rules both read it.
 * @see https://nginx.org/en/docs/syntax.html
 */
const NGINX_SIZE = /^(\d+)([kKmMgG]?)$/;
const FACTOR: Readonly<Record<string, number>> = { '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30 };

/** what an nginx size means: bytes, 'unlimited' for 0, undefined when nginx would not read it */
export function nginxSize(text: string): number | 'unlimited' | undefined {
  const match = NGINX_SIZE.exec(text);
  if (!match) return undefined;
  const bytes = Number(match[1]) * FACTOR[match[2].toLowerCase()];
  return bytes === 0 ? 'unlimited' : bytes;
}

export const NGINX_SIZE_ALLOWED =
  'an nginx size: a number with an optional k, m or g suffix (100m, 1g), or 0 for no limit';
