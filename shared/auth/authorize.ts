import { AuthenticationError, ForbiddenError } from '#shared/domain/errors.ts';

export const ROLES = [
  'counter-officer',
  'processing-officer',
  'agency-admin',
  'province-admin',
  'auditor',
] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling: from Cognito claims in AWS, from locally signed JWTs in the embedded runtime. */
export interface Principal {
  userId: string;
  roles: ReadonlySet<Role>;
  /** The agency an officer or agency admin works for. */
  agencyId?: string;
}

export type Action =
  | 'upload:request'
  | 'document:read'
  | 'document:list'
  | 'document:review'
  | 'archive:search'
  | 'archive:export'
  | 'audit:read'
  | 'dossier:receive'
  | 'dossier:read'
  | 'dossier:list'
  | 'dossier:attention'
  | 'dossier:counter'
  | 'dossier:process'
  | 'portal:replay'
  | 'kpi:read'
  | 'kpi:report'
  | 'kpi:report-read';

/** Roles allowed per action, and whether the role is limited to its own agency. */
const POLICY: Record<Action, Partial<Record<Role, 'own-agency' | 'province'>>> = {
  'upload:request': {
    'counter-officer': 'own-agency',
    'processing-officer': 'own-agency',
    'agency-admin': 'own-agency',
    'province-admin': 'province',
  },
  'document:read': {
    'counter-officer': 'own-agency',
    'processing-officer': 'own-agency',
    'agency-admin': 'own-agency',
    'province-admin': 'province',
    auditor: 'province',
  },
  'document:list': {
    'processing-officer': 'own-agency',
    'agency-admin': 'own-agency',
    'province-admin': 'province',
    auditor: 'province',
  },
  'document:review': {
    'processing-officer': 'own-agency',
    'agency-admin': 'own-agency',
    'province-admin': 'province',
  },
  'archive:search': {
    'agency-admin': 'own-agency',
    'province-admin': 'province',
    auditor: 'province',
  },
  /** Packing archived papers (signed copies, texts, a signed manifest) into a ZIP to hand over. */
  'archive:export': {
    'province-admin': 'province',
    auditor: 'province',
  },
  'audit:read': {
    'province-admin': 'province',
    auditor: 'province',
  },
  'dossier:receive': {
    'counter-officer': 'own-agency',
    'province-admin': 'province',
  },
  /** What the receiving unit's counter does: refuse, withdraw, take a supplement or a payment, a rating. */
  'dossier:counter': {
    'counter-officer': 'own-agency',
    'province-admin': 'province',
  },
  /**
   * Acting on a step at the step's agency (the use case also requires the step's role, or the
   * agency admin) and stopping a dossier at its competent agency.
   */
  'dossier:process': {
    'counter-officer': 'own-agency',
    'processing-officer': 'own-agency',
    'agency-admin': 'own-agency',
    'province-admin': 'province',
  },
  /** Sending dossiers to the national portal again (after the portal lost them, say). */
  'portal:replay': {
    'province-admin': 'province',
  },
  /**
   * KPI figures, trends and the 766 scorecard: a unit's own staff read their unit's (and the
   * province's, which the use case lets every holder of this action read); province-wide roles all.
   */
  'kpi:read': {
    'counter-officer': 'own-agency',
    'processing-officer': 'own-agency',
    'agency-admin': 'own-agency',
    'province-admin': 'province',
    auditor: 'province',
  },
  /** Producing the quarterly or yearly KPI report on demand. */
  'kpi:report': {
    'province-admin': 'province',
  },
  /** Listing and downloading KPI reports, which show every unit of the province. */
  'kpi:report-read': {
    'province-admin': 'province',
    auditor: 'province',
  },
  /** Own agency: the dossier's receiving or competent agency (the use case checks both). */
  'dossier:read': {
    'counter-officer': 'own-agency',
    'processing-officer': 'own-agency',
    'agency-admin': 'own-agency',
    'province-admin': 'province',
    auditor: 'province',
  },
  /**
   * Own agency: a counter officer's list is what the unit received, a processing officer's and
   * an agency admin's the agency's queue (competent, or a step waiting on it); the use case picks.
   */
  'dossier:list': {
    'counter-officer': 'own-agency',
    'processing-officer': 'own-agency',
    'agency-admin': 'own-agency',
    'province-admin': 'province',
    auditor: 'province',
  },
  /** A unit's attention list (what is near or past due): its own staff, and province-wide roles. */
  'dossier:attention': {
    'counter-officer': 'own-agency',
    'processing-officer': 'own-agency',
    'agency-admin': 'own-agency',
    'province-admin': 'province',
    auditor: 'province',
  },
};

/**
 * Reads a principal from JWT claims as API Gateway's JWT authorizer passes them: every value
 * is a string, and an array claim such as `cognito:groups` arrives as "[a b]".
 */
export function principalFromClaims(claims: Record<string, unknown> | undefined): Principal {
  const userId = claims?.sub;
  if (typeof userId !== 'string' || userId === '') throw new AuthenticationError('no authenticated user');
  const rawGroups = claims?.['cognito:groups'];
  const groups = Array.isArray(rawGroups)
    ? rawGroups.map(String)
    : typeof rawGroups === 'string'
      ? rawGroups.replace(/^\[|\]$/g, '').split(/[\s,]+/)
      : [];
  const roles = new Set(
    groups.filter((group): group is Role => (ROLES as readonly string[]).includes(group)),
  );
  const agency = claims?.['custom:agency'];
  return { userId, roles, agencyId: typeof agency === 'string' && agency !== '' ? agency : undefined };
}

/** Whether the principal may perform the action on something belonging to `agencyId`. */
export function isAllowed(principal: Principal, action: Action, agencyId?: string): boolean {
  const grants = POLICY[action];
  return [...principal.roles].some((role) => {
    const scope = grants[role];
    if (scope === 'province') return true;
    return scope === 'own-agency' && principal.agencyId !== undefined && principal.agencyId === agencyId;
  });
}

/** Whether any of the principal's roles is granted any of the actions at all (own agency or province-wide). */
export function hasRoleFor(principal: Principal, ...actions: Action[]): boolean {
  return actions.some((action) => [...principal.roles].some((role) => POLICY[action][role] !== undefined));
}

/**
 * Throws ForbiddenError when none of the principal's roles is ever granted any of the actions.
 * Routes call it before reading the request, so a role a route never serves gets 403 whatever it
 * sends (not a 400 that would tell it how to shape a request it may not make anyway).
 */
export function authorizeRole(principal: Principal, ...actions: Action[]): void {
  if (!hasRoleFor(principal, ...actions)) {
    throw new ForbiddenError(`no role of this user may ${actions.join(' or ')}`);
  }
}

/** Throws ForbiddenError unless the principal may perform the action. */
export function authorize(principal: Principal, action: Action, agencyId?: string): void {
  if (!isAllowed(principal, action, agencyId)) {
    throw new ForbiddenError(
      agencyId ? `not allowed to ${action} for agency ${agencyId}` : `not allowed to ${action}`,
    );
  }
}
