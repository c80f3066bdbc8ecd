import { authorize, authorizeRole, isAllowed, type Principal } from '#shared/auth/authorize.ts';
import type { ProvinceConfig } from '#shared/config/province-config.ts';
import type { DocumentRecord } from '#shared/domain/document.ts';
import { ConflictError, NotFoundError, ValidationError } from '#shared/domain/errors.ts';
import { parsePersonalId, parseTaxCode } from '#shared/domain/identifiers.ts';
import type { Clock, DocumentRepository, ExecutionStarter } from '#shared/ports.ts';
import type { PipelineInput } from './start-document-pipeline.ts';

export interface CompleteReviewDependencies {
  config: ProvinceConfig;
  repository: DocumentRepository;
  starter: ExecutionStarter;
  clock: Clock;
}

function readReview(input: unknown): { docType: string; ownerId: string } {
  const body = (input ?? {}) as Record<string, unknown>;
  if (typeof body.docType !== 'string' || body.docType === '') {
    throw new ValidationError('INVALID_DOC_TYPE', 'docType is required');
  }
  if (typeof body.ownerId !== 'string' || body.ownerId === '') {
    throw new ValidationError('INVALID_OWNER_ID', 'ownerId is required');
  }
  return { docType: body.docType, ownerId: body.ownerId.trim() };
}

/**
 * An officer decides the type and owner of a document the classifier could not settle; the
 * pipeline then resumes at AssignCode (reading the upload again if its work files have expired),
 * so nothing is coded on a guess.
 */
export function createCompleteReview(deps: CompleteReviewDependencies) {
  return async function completeReview(
    principal: Principal,
    documentId: string,
    input: unknown,
  ): Promise<DocumentRecord> {
    authorizeRole(principal, 'document:review');
    const record = await deps.repository.get(documentId);
    // A document the caller may not even see is missing, as on every route: a 403 would confirm it exists.
    if (!record || !isAllowed(principal, 'document:read', record.agencyId)) {
      throw new NotFoundError(`document ${documentId} does not exist`);
    }
    authorize(principal, 'document:review', record.agencyId);
    // A malformed review is a 400 whatever the document's state; a well-formed one may still be late.
    const { docType, ownerId } = readReview(input);
    if (record.status !== 'NEEDS_REVIEW') {
      throw new ConflictError(
        'NOT_AWAITING_REVIEW',
        `document ${documentId} is ${record.status}, not NEEDS_REVIEW`,
      );
    }
    const type = deps.config.documentTypes.find((candidate) => candidate.code === docType);
    if (!type) {
      const known = deps.config.documentTypes.map((candidate) => candidate.code).join(', ');
      throw new ValidationError(
        'INVALID_DOC_TYPE',
        `unknown document type ${docType}; known types: ${known}`,
      );
    }
    const parsed = type.owner === 'person' ? parsePersonalId(ownerId) : parseTaxCode(ownerId);
    if (!parsed.ok) {
      const kind = type.owner === 'person' ? 'a 12-digit personal ID' : 'a tax code';
      throw new ValidationError('INVALID_OWNER_ID', `ownerId must be ${kind}: ${parsed.reason}`);
    }
    // The run that resumes the pipeline owns the document from this write on; a second click finds
    // the document PROCESSING and gets a 409, so a review never starts two runs.
    const runId = `${documentId}-review-${deps.clock.now().getTime()}`;
    const updated = await deps.repository.update(
      documentId,
      {
        status: 'PROCESSING',
        runId,
        classification: {
          ...record.classification,
          docType,
          ownerId: parsed.value,
          confidence: 1,
          reviewReason: undefined,
          decidedBy: 'officer',
        },
        updatedAt: deps.clock.now().toISOString(),
      },
      { status: ['NEEDS_REVIEW'] },
    );
    const resume: PipelineInput = { bucket: record.bucket, key: record.key, documentId, runId };
    await deps.starter.start(runId, resume);
    return updated;
  };
}
