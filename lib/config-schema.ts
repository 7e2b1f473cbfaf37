/**
 * The editor schema for config/<env>.yaml (config/schema.json), made from the same validator
 * lib/config/ runs, so an editor's completion and the synth never disagree on a key, a type or
 * an allowed value. Rules that span fields (a digest in production, the connection budget) are
 * not in it: those stay the synth's.
 *
 * One schema for the base file (config/_base.yaml) and each environment's file, with no field
 * required and null taken for any key: either file may leave a field to the other, and an
 * environment's null removes the base's value, so only the merged config (the synth) knows what
 * is missing. Keys, types and allowed values are checked in both.
 */
import * as z from 'zod/mini';
import { configSchema } from './config';

/** the file name the config files point at: `# yaml-language-server: $schema=./schema.json` */
export const CONFIG_SCHEMA_FILE = 'schema.json';

export function configJsonSchema(): Record<string, unknown> {
  // draft-07: what yaml-language-server and most editors read; `input`: what a file may say,
  // so a field with a default is optional
  const schema = z.toJSONSchema(configSchema, { target: 'draft-7', io: 'input' });
  return {
    ...(forEitherFile(schema) as Record<string, unknown>),
    title: 'ReViewPoint backend environment (config/<env>.yaml, config/_base.yaml)',
  };
}

/**
 * The schema with every `required` list dropped, and `null` allowed for every key of a mapping:
 * in an environment's file it removes the base file's value there
 */
function forEitherFile(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(forEitherFile);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'required' && Array.isArray(value)) continue;
    if (key === 'properties' && value !== null && typeof value === 'object') {
      out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, orNull(forEitherFile(v))]));
    } else if (key === 'additionalProperties' && value !== null && typeof value === 'object') {
      out[key] = orNull(forEitherFile(value));
    } else out[key] = forEitherFile(value);
  }
  return out;
}

const NULL = { type: 'null' };

/** a schema that takes null too: added to its type (and enum) where it has one, else beside it */
function orNull(schema: unknown): unknown {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) return schema;
  const s = schema as Record<string, unknown>;
  const withEnum = Array.isArray(s.enum) ? { enum: [...(s.enum as unknown[]), null] } : {};
  if (Array.isArray(s.anyOf)) return { ...s, anyOf: [...(s.anyOf as unknown[]), NULL] };
  if (typeof s.type === 'string') return { ...s, type: [s.type, 'null'], ...withEnum };
  if (Array.isArray(s.enum)) return { ...s, ...withEnum };
  return { anyOf: [s, NULL] };
}

/** the committed file's text */
export function configJsonSchemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}
