/**
 * Writes config/schema.json, the editor schema of the config files, from the config validator:
 * `npm run config-schema` (writes it), `npm run config-schema -- --check` (exit 1 when the
 * committed file is not what the validator makes).
 */
import fs = require('node:fs');
import path = require('node:path');
import { CONFIG_SCHEMA_FILE, configJsonSchemaText } from '../lib/config-schema';
import type { Output } from '../main';

export function configSchema(argv: readonly string[], out: Output): number {
  const check = argv.includes('--check');
  const unknown = argv.filter((a) => a !== '--check');
  if (unknown.length > 0) {
    out.error(`unknown option ${unknown[0]}; allowed: --check`);
    return 1;
  }
  const file = path.join('config', CONFIG_SCHEMA_FILE);
  const text = configJsonSchemaText();
  if (check) {
    const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
    if (current === text) return 0;
    out.error(
      `${file} is ${current === undefined ? 'missing' : 'out of date'}: run npm run config-schema and commit it`,
    );
    return 1;
  }
  fs.writeFileSync(file, text);
  out.log(`${file} written`);
  return 0;
}
