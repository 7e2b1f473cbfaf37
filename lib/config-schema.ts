/**
 * The editor schema for config/<env>.yaml (config/schema.json), made from the same validator
 * lib/config/ runs, so an editor's completion and the synth never disagree on a key, a type or
 * an allowed value. Rules that span fields (a digest in production, the connection budget) are
 * not in it: those stay the synth's.
 *
 * One schema for the base file (config/_base.yaml) and each environment's file, with no field
 * required: either file may leave a field to the other, so only the merged config (the synth)
 * knows what is missing. Keys, types and allowed values are checked in both.
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
    ...(withoutRequired(schema) as Record<string, unknown>),
    title: 'ReViewPoint backend environment (config/<env>.yaml, config/_base.yaml)',
  };
}

/** the schema with every `required` list dropped */
function withoutRequired(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutRequired);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key, value]) => !(key === 'required' && Array.isArray(value)))
      .map(([key, value]) => [key, withoutRequired(value)]),
  );
}

/** the committed file's text */
export function configJsonSchemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}
