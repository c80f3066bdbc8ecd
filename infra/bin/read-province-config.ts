import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { type ProvinceConfig, provinceConfigSchema } from '#shared/config/province-config.ts';

/** A province configuration file that cannot be read or does not match the schema. */
export class InvalidProvinceConfigError extends Error {
  override readonly name = 'InvalidProvinceConfigError';
}

/**
 * Reads and validates a province configuration YAML file for the CDK app.
 *
 * @throws InvalidProvinceConfigError naming the file and every invalid field.
 */
export function readProvinceConfig(path: string): ProvinceConfig {
  let raw: unknown;
  try {
    raw = parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new InvalidProvinceConfigError(`${path}: cannot read province config: ${(error as Error).message}`);
  }
  const result = provinceConfigSchema.safeParse(raw);
  if (!result.success) {
    const issues = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new InvalidProvinceConfigError(`${path}: invalid province config: ${issues.join('; ')}`);
  }
  return result.data;
}
