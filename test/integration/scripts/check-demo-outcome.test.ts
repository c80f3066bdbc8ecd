import { describe, expect, it } from 'vitest';
import type { DocumentRecord } from '#shared/domain/document.ts';
import type { DocumentView } from '../../../scripts/lib/api-client.ts';
import { checkDemoOutcome } from '../../../scripts/lib/check-demo-outcome.ts';

const record = (overrides: Partial<DocumentRecord>): DocumentRecord => ({
  documentId: 'd1',
  agencyId: '000.00.01.H99',
  uploadedBy: 'dev-admin',
  mediaType: 'image/png',
  declaredSize: 10,
  declaredSha256: 'x',
  bucket: 'ingest',
  key: 'incoming/d1',
  status: 'ARCHIVED',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:01.000Z',
  pageCount: 1,
  code: '038319001234.KS.01',
  classification: { docType: 'KS', ownerId: '038319001234', confidence: 1, decidedBy: 'classifier' },
  ...overrides,
});
const valid = [{ valid: true, signer: 'Trung tâm', message: 'Chữ ký hợp lệ' }];
const good = { status: 'ARCHIVED', docType: 'KS', ownerId: '038319001234', pageCount: 1 } as const;

describe('checkDemoOutcome', () => {
  it('accepts an archived, coded document with a valid signature', () => {
    const view: DocumentView = { document: record({}), verification: valid };

    expect(checkDemoOutcome(good, view)).toEqual([]);
  });

  it('reports a wrong owner, a missing code and an invalid signature', () => {
    const view: DocumentView = {
      document: record({
        code: undefined,
        classification: { docType: 'KS', ownerId: '001099000001', confidence: 1, decidedBy: 'classifier' },
      }),
      verification: [{ valid: false, signer: 'X', message: 'Tài liệu đã bị thay đổi sau khi ký' }],
    };

    expect(checkDemoOutcome(good, view)).toEqual([
      'owner 001099000001, expected 038319001234',
      'no digitised code',
      'signature not valid: Tài liệu đã bị thay đổi sau khi ký',
    ]);
  });

  it('reports an archived document that carries no signature', () => {
    expect(checkDemoOutcome(good, { document: record({}) })).toEqual(['no signature found']);
  });

  it('reports a good sample that went to review, with the reason', () => {
    const view: DocumentView = {
      document: record({
        status: 'NEEDS_REVIEW',
        classification: { confidence: 0.2, reviewReason: 'UNKNOWN_TYPE', decidedBy: 'classifier' },
      }),
    };

    expect(checkDemoOutcome(good, view)).toEqual(['ended NEEDS_REVIEW (UNKNOWN_TYPE), expected ARCHIVED']);
  });

  it('checks the quarantine reason of a bad sample', () => {
    const quarantined = (reason: string) =>
      record({ status: 'QUARANTINED', quarantine: { reason, message: 'm', at: 't' } });
    const expected = { status: 'QUARANTINED', reason: 'CORRUPT_FILE' } as const;

    expect(checkDemoOutcome(expected, { document: quarantined('CORRUPT_FILE') })).toEqual([]);
    expect(checkDemoOutcome(expected, { document: quarantined('TOO_LARGE') })).toEqual([
      'quarantined for TOO_LARGE, expected CORRUPT_FILE',
    ]);
    expect(checkDemoOutcome(expected, { document: record({}) })).toEqual([
      'ended ARCHIVED, expected QUARANTINED',
    ]);
  });
});
