/**
 * What the KPI routes share: which scope a request names (the province, a level of units, a unit),
 * whether the caller may read it, and how a stored figure is shown (with its definition's label).
 */
import { authorize, authorizeRole, type Principal } from '#shared/auth/authorize.ts';
import { AGENCY_ID_PATTERN, type ProvinceConfig } from '#shared/config/province-config.ts';
import { NotFoundError, ValidationError } from '#shared/domain/errors.ts';
import {
  KPI_DEFINITIONS,
  type KpiDefinition,
  type KpiId,
  type KpiKind,
  type KpiUnit,
} from '#shared/domain/kpi/kpi-definitions.ts';
import { treeScope } from '#shared/domain/kpi/kpi-periods.ts';
import { KPI_LEVEL_NAMES, KPI_LEVELS, type KpiLevel } from '#shared/domain/kpi/kpi-report.ts';
import { type KpiFigure, PROVINCE_SCOPE, type ReportedKpiFigure } from '#shared/ports/kpi-rollup-store.ts';

/** A scope as the API names it. */
export interface KpiScope {
  /** The stored scope: PROVINCE, `LEVEL#commune`, `TREE#{districtId}` or a unit's agency id. */
  readonly scope: string;
  readonly kind: 'province' | 'level' | 'tree' | 'unit';
  /** The unit's name from the province configuration, the province's, or the level's. */
  readonly name: string;
  readonly level?: KpiLevel;
}

/**
 * Reads a scope parameter (absent: the province) and checks the caller may read its figures:
 * the province's, everyone who may read KPIs; a level's or a district tree's, province-wide roles;
 * a unit's, its own staff and province-wide roles.
 * @throws ForbiddenError when no role of the caller reads KPIs, or not this scope's;
 *   ValidationError INVALID_SCOPE for a malformed scope; NotFoundError for a unit the province
 *   configuration does not list.
 */
export function resolveKpiScope(
  principal: Principal,
  config: Pick<ProvinceConfig, 'province' | 'agencies'>,
  scope: string | undefined,
): KpiScope {
  authorizeRole(principal, 'kpi:read');
  const resolved = readKpiScope(config, scope);
  if (resolved.kind === 'unit') authorize(principal, 'kpi:read', resolved.scope);
  else if (resolved.kind !== 'province') authorize(principal, 'kpi:read');
  return resolved;
}

/** A scope parameter read against the configuration, without authorisation. */
export function readKpiScope(
  config: Pick<ProvinceConfig, 'province' | 'agencies'>,
  scope: string | undefined,
): KpiScope {
  if (scope === undefined || scope === PROVINCE_SCOPE) {
    return { scope: PROVINCE_SCOPE, kind: 'province', name: config.province.name };
  }
  if (scope.startsWith('LEVEL#')) {
    const level = scope.slice('LEVEL#'.length) as KpiLevel;
    if (!KPI_LEVELS.includes(level)) {
      throw new ValidationError('INVALID_SCOPE', `scope ${scope}: levels are ${KPI_LEVELS.join(', ')}`);
    }
    return { scope, kind: 'level', name: KPI_LEVEL_NAMES[level], level };
  }
  if (scope.startsWith('TREE#')) {
    const districtId = scope.slice('TREE#'.length);
    const district = config.agencies.find((candidate) => candidate.id === districtId);
    if (!AGENCY_ID_PATTERN.test(districtId)) {
      throw new ValidationError('INVALID_SCOPE', `scope ${scope}: TREE# takes a district's unit id`);
    }
    if (district?.level !== 'district') {
      throw new NotFoundError(`no district ${districtId} in the province configuration`);
    }
    return { scope: treeScope(districtId), kind: 'tree', name: district.name, level: 'district' };
  }
  if (!AGENCY_ID_PATTERN.test(scope)) {
    throw new ValidationError(
      'INVALID_SCOPE',
      `scope ${JSON.stringify(scope)}: give PROVINCE, LEVEL#{province|department|district|commune} TREE#{districtId} or a unit id such as 000.00.01.H56`,
    );
  }
  const agency = config.agencies.find((candidate) => candidate.id === scope);
  if (!agency) throw new NotFoundError(`no unit ${scope} in the province configuration`);
  return { scope, kind: 'unit', name: agency.name, level: agency.level };
}

/** A stored figure as the API shows it: with its KPI's label, unit, kind and direction. */
export interface KpiFigureView {
  kpiId: KpiId;
  label: string;
  unit: KpiUnit;
  kind: KpiKind;
  better: 'higher' | 'lower';
  value?: number;
  numerator: number;
  denominator: number;
  targetStatus: KpiFigure['targetStatus'];
  target?: number;
  comparison?: 'at-least' | 'at-most';
  met?: boolean;
  ruleVersion: string;
  computedAt: string;
}

const DEFINITIONS = new Map<string, KpiDefinition>(KPI_DEFINITIONS.map((kpi) => [kpi.id, kpi]));

/** The definition of a stored figure's KPI (a KPI id no longer defined keeps its id as label). */
export function describeKpi(kpiId: KpiId): Pick<KpiFigureView, 'label' | 'unit' | 'kind' | 'better'> {
  const definition = DEFINITIONS.get(kpiId);
  if (!definition) return { label: kpiId, unit: 'dossiers', kind: 'count', better: 'higher' };
  return {
    label: definition.label,
    unit: definition.unit,
    kind: definition.kind,
    better: definition.better,
  };
}

/** A stored figure with its definition's label, unit, kind and direction. */
export function kpiFigureView(figure: ReportedKpiFigure): KpiFigureView {
  const { scope: _scope, period: _period, kpiId, ...terms } = figure;
  return { kpiId, ...describeKpi(kpiId), ...terms };
}
