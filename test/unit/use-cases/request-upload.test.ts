import { describe, expect, it } from 'vitest';
import { loadProvinceConfig } from '#shared/config/load-province-config.ts';
import { createRequestUpload, UNUSED_REQUEST_GRACE_SECONDS } from '#shared/use-cases/request-upload.ts';
import { createInMemoryObjectStore, createInMemoryRepository } from '#test/support/in-memory-ports.ts';

const NOW = new Date('2026-11-22T03:00:00.000Z');
const config = loadProvinceConfig('config/provinces/sample-province.yaml');

describe('requestUpload', () => {
  it('records the request with an expiry a day after its URL, so an unused request does not stay forever', async () => {
    const repository = createInMemoryRepository();
    const requestUpload = createRequestUpload({
      config,
      repository,
      objects: createInMemoryObjectStore(),
      clock: { now: () => NOW },
      ids: { newId: () => 'u1' },
      ingestBucket: 'ingest',
    });
    const principal = {
      userId: 'officer',
      roles: new Set(['counter-officer'] as const),
      agencyId: '000.00.01.H99',
    };
    await requestUpload(principal, {
      agencyId: '000.00.01.H99',
      mediaType: 'image/jpeg',
      size: 1000,
      sha256: 'a'.repeat(64),
    });
    const record = await repository.get('u1');
    expect(record?.status).toBe('AWAITING_UPLOAD');
    expect(record?.expiresAt).toBe(
      NOW.getTime() / 1000 + config.uploads.urlExpirySeconds + UNUSED_REQUEST_GRACE_SECONDS,
    );
  });
});
