/**
 * Reads a province's KPI targets file (`config/kpi-targets/{slug}.yaml`) and checks it against the
 * province configuration. Errors name the file, the field and its line, as province files do.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type KpiTargets, kpiTargetsSchema } from '#shared/config/kpi-targets.ts';
import {
  configIssue,
  ProvinceConfigError,
  type ProvinceConfigIssue,
  parseConfigFile,
  validateConfig,
} from '#shared/config/load-province-config.ts';

/** Where the shipped targets files live. */
export const KPI_TARGETS_DIR = fileURLToPath(new URL('../../config/kpi-targets/', import.meta.url));

/** What the targets are checked against. */
export interface KpiTargetsProvince {
  readonly province: { readonly slug: string };
  readonly agencies: readonly { readonly id: string }[];
}

/**
 * Parses and validates a targets file (YAML or JSON by its extension); with `province`, also checks
 * that it is that province's and that every unit it names exists.
 * @throws ProvinceConfigError naming the file and every bad field with its line.
 */
export function parseKpiTargets(text: string, fileName: string, province?: KpiTargetsProvince): KpiTargets {
  const file = parseConfigFile(text, fileName);
  const targets = validateConfig(kpiTargetsSchema, file, fileName);
  if (!province) return targets;
  const issues: ProvinceConfigIssue[] = [];
  if (targets.province !== province.province.slug) {
    issues.push(
      configIssue(file, ['province'], `must be ${province.province.slug}, the province it is loaded for`),
    );
  }
  const agencies = new Set(province.agencies.map((agency) => agency.id));
  for (const unitId of Object.keys(targets.unitAreas)) {
    if (!agencies.has(unitId))
      issues.push(configIssue(file, ['unitAreas', unitId], `no agency ${unitId} in the province`));
  }
  if (issues.length > 0) throw new ProvinceConfigError(fileName, issues);
  return targets;
}

/**
 * Reads a targets file.
 * @throws ProvinceConfigError when it cannot be read or is invalid.
 */
export function loadKpiTargets(path: string, province?: KpiTargetsProvince): KpiTargets {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ProvinceConfigError(path, [{ path: '', message: `cannot read: ${(error as Error).message}` }]);
  }
  return parseKpiTargets(text, path, province);
}

/**
 * The shipped targets of a province (`config/kpi-targets/{slug}-province.yaml`), checked against
 * it; undefined when there is no such file (its figures are then `no-target`).
 * @throws ProvinceConfigError for an invalid file.
 */
export function provinceKpiTargets(province: KpiTargetsProvince): KpiTargets | undefined {
  const path = join(KPI_TARGETS_DIR, `${province.province.slug}-province.yaml`);
  return existsSync(path) ? loadKpiTargets(path, province) : undefined;
}
