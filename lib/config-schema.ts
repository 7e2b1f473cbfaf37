/**
 * The editor schema for config/<env>.yaml (config/schema.json), made from the same validator
 * lib/config/ runs, so an editor's completion and the synth never disagree on a key, a type or
 * an allowed value. Rules that span fields (a digest in production, the connection budget) are
 * not in it: those stay the synth's.
 */
import * as z from 'zod/mini';
import { configSchema } from './config';

/** the file name the config files point at: `# yaml-language-server: $schema=./schema.json` */
export const CONFIG_SCHEMA_FILE = 'schema.json';

export function configJsonSchema(): Record<string, unknown> {
  // draft-07: what yaml-language-server and most editors read; `input`: what a file may say,
  // so a field with a default is optional
  const schema = z.toJSONSchema(configSchema, { target: 'draft-7', io: 'input' });
  return { ...schema, title: 'ReViewPoint backend environment (config/<env>.yaml)' };
}

/** the committed file's text */
export function configJsonSchemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}
