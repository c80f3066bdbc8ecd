import { describe, expect, it } from 'vitest';
import { DOSSIER_STATUS, type DossierStatus } from '#shared/domain/dossiers/dossier.ts';
import {
  allowedActions,
  checkTransition,
  DOSSIER_ACTION_NAMES,
  TransitionNotAllowedError,
} from '#shared/domain/dossiers/dossier-lifecycle.ts';

/** The lifecycle of DOMAIN.md, written out by hand: what each status allows. */
const EXPECTED: Record<DossierStatus, string[]> = {
  1: ['receive', 'refuse', 'withdraw'],
  2: ['accept', 'complete', 'refuse', 'withdraw'],
  3: [],
  4: ['accept', 'complete', 'request-supplement', 'request-fee', 'stop', 'withdraw'],
  5: ['answer-supplement', 'stop', 'withdraw'],
  6: ['pay-fee', 'stop', 'withdraw'],
  7: [],
  8: [],
  9: ['complete'],
  10: ['rate'],
};

describe('the dossier lifecycle', () => {
  it('allows exactly the actions DOMAIN.md gives each status', () => {
    for (const status of Object.values(DOSSIER_STATUS)) {
      expect(allowedActions(status).sort(), `status ${status}`).toEqual([...EXPECTED[status]].sort());
    }
  });

  it('refuses every other action of every status with a 409 that names the allowed ones', () => {
    let refused = 0;
    for (const status of Object.values(DOSSIER_STATUS)) {
      for (const action of DOSSIER_ACTION_NAMES) {
        if (EXPECTED[status].includes(action)) {
          expect(() => checkTransition(status, action)).not.toThrow();
          continue;
        }
        let error: unknown;
        try {
          checkTransition(status, action);
        } catch (caught) {
          error = caught;
        }
        expect(error, `${action} in status ${status}`).toBeInstanceOf(TransitionNotAllowedError);
        expect(error).toMatchObject({ code: 'TRANSITION_NOT_ALLOWED', allowed: allowedActions(status) });
        expect((error as Error).message).toContain(`allowed: ${EXPECTED[status].length ? '' : 'none'}`);
        refused += 1;
      }
    }
    // 10 statuses × 11 actions, less the 21 allowed pairs.
    expect(refused).toBe(10 * DOSSIER_ACTION_NAMES.length - 21);
  });
});
