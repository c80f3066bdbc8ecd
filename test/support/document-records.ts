import type { DocumentRecord } from '#shared/domain/document.ts';

/** A document record of the sample province's service centre, as the upload API creates it. */
export function makeDocumentRecord(
  documentId: string,
  overrides: Partial<DocumentRecord> = {},
): DocumentRecord {
  return {
    documentId,
    agencyId: '000.00.01.H99',
    uploadedBy: 'officer-1',
    mediaType: 'image/jpeg',
    declaredSize: 3,
    declaredSha256: 'x',
    bucket: 'ingest',
    key: `incoming/000.00.01.H99/_/_/${documentId}`,
    status: 'AWAITING_UPLOAD',
    createdAt: '2026-11-22T03:00:00.000Z',
    updatedAt: '2026-11-22T03:00:00.000Z',
    ...overrides,
  };
}
