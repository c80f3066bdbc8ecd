import { describe, expect, it } from 'vitest';
import {
  authorize,
  authorizeRole,
  hasRoleFor,
  isAllowed,
  principalFromClaims,
} from '#shared/auth/authorize.ts';
import { AuthenticationError, ForbiddenError } from '#shared/domain/errors.ts';

const AGENCY = '000.00.01.H99';
const OTHER = '000.17.22.H99';

describe('principalFromClaims', () => {
  it('reads groups in API Gateway JWT authorizer format ("[a b]")', () => {
    const principal = principalFromClaims({
      sub: 'u-1',
      'cognito:groups': '[counter-officer processing-officer]',
      'custom:agency': AGENCY,
    });
    expect([...principal.roles].sort()).toEqual(['counter-officer', 'processing-officer']);
    expect(principal.agencyId).toBe(AGENCY);
  });

  it('reads groups given as an array and ignores unknown groups', () => {
    const principal = principalFromClaims({ sub: 'u-2', 'cognito:groups': ['auditor', 'guest'] });
    expect([...principal.roles]).toEqual(['auditor']);
    expect(principal.agencyId).toBeUndefined();
  });

  it('rejects claims without a subject', () => {
    expect(() => principalFromClaims({})).toThrow(AuthenticationError);
    expect(() => principalFromClaims(undefined)).toThrow(AuthenticationError);
  });
});

describe('authorize', () => {
  const counter = principalFromClaims({
    sub: 'c',
    'cognito:groups': '[counter-officer]',
    'custom:agency': AGENCY,
  });
  const auditor = principalFromClaims({ sub: 'a', 'cognito:groups': '[auditor]' });
  const admin = principalFromClaims({ sub: 'p', 'cognito:groups': '[province-admin]' });

  it('limits officers to their own agency', () => {
    expect(isAllowed(counter, 'upload:request', AGENCY)).toBe(true);
    expect(isAllowed(counter, 'upload:request', OTHER)).toBe(false);
    expect(() => authorize(counter, 'upload:request', OTHER)).toThrow(ForbiddenError);
  });

  it('tells a role a route never serves from one it serves for some agency', () => {
    expect(hasRoleFor(counter, 'upload:request')).toBe(true);
    expect(hasRoleFor(counter, 'document:review')).toBe(false);
    expect(hasRoleFor(counter, 'document:review', 'dossier:receive')).toBe(true);
    expect(() => authorizeRole(auditor, 'upload:request')).toThrow(ForbiddenError);
    expect(() => authorizeRole(auditor, 'archive:search')).not.toThrow();
  });

  it('lets a counter officer upload but not review', () => {
    expect(isAllowed(counter, 'document:review', AGENCY)).toBe(false);
  });

  it('gives auditors province-wide read and nothing else', () => {
    expect(isAllowed(auditor, 'document:read', OTHER)).toBe(true);
    expect(isAllowed(auditor, 'upload:request', OTHER)).toBe(false);
    expect(isAllowed(auditor, 'document:review', OTHER)).toBe(false);
  });

  it('gives province admins every action anywhere', () => {
    for (const action of ['upload:request', 'document:read', 'document:list', 'document:review'] as const) {
      expect(isAllowed(admin, action, OTHER)).toBe(true);
    }
  });

  it('denies a principal without roles', () => {
    const nobody = principalFromClaims({ sub: 'n', 'custom:agency': AGENCY });
    expect(isAllowed(nobody, 'document:read', AGENCY)).toBe(false);
  });
});
