import type { Principal } from '#shared/auth/authorize.ts';
import { authorize, authorizeRole } from '#shared/auth/authorize.ts';
import type { ProvinceConfig } from '#shared/config/province-config.ts';
import type { DocumentRecord, UploadMediaType } from '#shared/domain/document.ts';
import { uploadObjectKey, validateUploadRequest } from '#shared/domain/upload-policy.ts';
import type { Clock, DocumentRepository, IdGenerator, ObjectStore } from '#shared/ports.ts';

export interface RequestUploadDependencies {
  config: ProvinceConfig;
  repository: DocumentRepository;
  objects: ObjectStore;
  ids: IdGenerator;
  clock: Clock;
  ingestBucket: string;
}

/** What the client needs to PUT the scan straight to storage. */
export interface UploadTicket {
  documentId: string;
  key: string;
  method: 'PUT';
  url: string;
  /** Headers the PUT must carry exactly (they are signed). */
  headers: Record<string, string>;
  expiresAt: string;
}

/** How long an upload request outlives its URL: time for a late upload event or the reconciler to arrive. */
export const UNUSED_REQUEST_GRACE_SECONDS = 24 * 3600;

/**
 * An officer asks to upload a scan: the server chooses the key, records the declared type, size
 * and SHA-256, and returns a presigned PUT URL bound to them.
 */
export function createRequestUpload(deps: RequestUploadDependencies) {
  return async function requestUpload(principal: Principal, input: unknown): Promise<UploadTicket> {
    authorizeRole(principal, 'upload:request');
    const request = validateUploadRequest(input, deps.config);
    authorize(principal, 'upload:request', request.agencyId);
    const documentId = deps.ids.newId();
    const key = uploadObjectKey({ ...request, documentId });
    const now = deps.clock.now();
    const expiresInSeconds = deps.config.uploads.urlExpirySeconds;
    const record: DocumentRecord = {
      documentId,
      agencyId: request.agencyId,
      dossierId: request.dossierId,
      componentId: request.componentId,
      uploadedBy: principal.userId,
      mediaType: request.mediaType as UploadMediaType,
      declaredSize: request.size,
      declaredSha256: request.sha256Base64,
      bucket: deps.ingestBucket,
      key,
      status: 'AWAITING_UPLOAD',
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      // Claiming the document removes this; a request never used is deleted a day after its URL expired.
      expiresAt: Math.ceil(now.getTime() / 1000) + expiresInSeconds + UNUSED_REQUEST_GRACE_SECONDS,
    };
    await deps.repository.create(record);
    const { url, headers } = await deps.objects.presignPut(deps.ingestBucket, key, {
      contentType: request.mediaType,
      contentLength: request.size,
      sha256Base64: request.sha256Base64,
      expiresInSeconds,
    });
    return {
      documentId,
      key,
      method: 'PUT',
      url,
      headers,
      expiresAt: new Date(now.getTime() + expiresInSeconds * 1000).toISOString(),
    };
  };
}
