import { describe, expect, it } from 'vitest';
import { principalFromClaims } from '#shared/auth/authorize.ts';
import { loadProvinceConfig } from '#shared/config/load-province-config.ts';
import { ForbiddenError, NotFoundError } from '#shared/domain/errors.ts';
import { createCompleteReview } from '#shared/use-cases/complete-review.ts';
import { makeDocumentRecord } from '#test/support/document-records.ts';
import { createInMemoryRepository } from '#test/support/in-memory-ports.ts';

const config = loadProvinceConfig('config/provinces/sample-province.yaml');
const NOW = new Date('2026-11-22T03:00:00.000Z');
const H99 = '000.00.01.H99';
const WARD = '000.17.22.H99';
const REVIEW = { docType: 'KS', ownerId: '038319001234' };

const staff = (role: string, agencyId: string) =>
  principalFromClaims({
    sub: `${role}-${agencyId}`,
    'cognito:groups': `[${role}]`,
    'custom:agency': agencyId,
  });

async function setUp() {
  const repository = createInMemoryRepository();
  await repository.create(makeDocumentRecord('d1', { agencyId: H99, status: 'NEEDS_REVIEW' }));
  const started: string[] = [];
  const completeReview = createCompleteReview({
    config,
    repository,
    clock: { now: () => NOW },
    starter: {
      start: async (name) => {
        started.push(name);
        return { started: true };
      },
      isRunning: async () => false,
    },
  });
  return { repository, started, completeReview };
}

describe('completing a review', () => {
  it("reports another agency's document as missing, exactly as one that does not exist, and changes nothing", async () => {
    const { repository, started, completeReview } = await setUp();
    const other = completeReview(staff('processing-officer', WARD), 'd1', REVIEW);
    await expect(other).rejects.toBeInstanceOf(NotFoundError);
    await expect(other).rejects.toThrow('document d1 does not exist');
    await expect(completeReview(staff('processing-officer', WARD), 'nope', REVIEW)).rejects.toBeInstanceOf(
      NotFoundError,
    );
    expect((await repository.get('d1'))?.status).toBe('NEEDS_REVIEW');
    expect(started).toEqual([]);
  });

  it('refuses, as forbidden, a caller who may see the document but not review it', async () => {
    const { started, completeReview } = await setUp();
    await expect(completeReview(staff('counter-officer', H99), 'd1', REVIEW)).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    const auditor = principalFromClaims({ sub: 'a', 'cognito:groups': '[auditor]' });
    await expect(completeReview(auditor, 'd1', REVIEW)).rejects.toBeInstanceOf(ForbiddenError);
    expect(started).toEqual([]);
  });

  it("lets the agency's processing officer decide, and resumes the pipeline in a run it owns", async () => {
    const { started, completeReview } = await setUp();
    const updated = await completeReview(staff('processing-officer', H99), 'd1', REVIEW);
    expect(updated).toMatchObject({
      status: 'PROCESSING',
      runId: `d1-review-${NOW.getTime()}`,
      classification: { docType: 'KS', ownerId: '038319001234', decidedBy: 'officer' },
    });
    expect(started).toEqual([`d1-review-${NOW.getTime()}`]);
  });
});
