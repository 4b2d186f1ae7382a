import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Ajv } from 'ajv';

/** schema/report.schema.json, the published shape of every Ferry JSON report. */
const schema = JSON.parse(
  readFileSync(path.resolve(new URL('../..', import.meta.url).pathname, 'schema/report.schema.json'), 'utf8'),
) as object;
const validate = new Ajv({
  allErrors: true,
  strict: true,
  allowUnionTypes: true,
  validateFormats: false,
}).compile(schema);

/** The report's schema violations, as `path: message` lines (empty when it is valid). */
export function reportViolations(report: unknown): string[] {
  if (validate(report)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'}: ${e.message}`);
}
