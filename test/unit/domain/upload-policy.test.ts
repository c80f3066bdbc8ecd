import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadProvinceConfig } from '#shared/config/load-province-config.ts';
import { ValidationError } from '#shared/domain/errors.ts';
import {
  parseUploadObjectKey,
  uploadObjectKey,
  validateUploadRequest,
} from '#shared/domain/upload-policy.ts';

const config = loadProvinceConfig(
  fileURLToPath(new URL('../../../config/provinces/sample-province.yaml', import.meta.url)),
);
const digest = createHash('sha256').update('scan').digest();
const valid = {
  agencyId: '000.00.01.H99',
  dossierId: '000.00.01.H99-250312-0001',
  componentId: 'TP_01',
  mediaType: 'application/pdf',
  size: 1024,
  sha256: digest.toString('hex'),
};

function rejection(input: unknown): ValidationError {
  try {
    validateUploadRequest(input, config);
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('validateUploadRequest', () => {
  it('accepts a valid request and returns the checksum in base64', () => {
    expect(validateUploadRequest(valid, config)).toEqual({
      agencyId: '000.00.01.H99',
      dossierId: '000.00.01.H99-250312-0001',
      componentId: 'TP_01',
      mediaType: 'application/pdf',
      size: 1024,
      sha256Base64: digest.toString('base64'),
    });
  });

  it('accepts a base64 checksum, a media type with parameters, and no dossier or component', () => {
    const result = validateUploadRequest(
      {
        agencyId: '000.17.22.H99',
        mediaType: 'Image/JPEG; q=1',
        size: 25 * 1024 ** 2,
        sha256: digest.toString('base64'),
      },
      config,
    );
    expect(result).toEqual({
      agencyId: '000.17.22.H99',
      mediaType: 'image/jpeg',
      size: 25 * 1024 ** 2,
      sha256Base64: digest.toString('base64'),
    });
  });

  it.each([
    ['not an object', 'scan.pdf', 'INVALID_REQUEST', 'JSON object'],
    ['an unknown agency', { ...valid, agencyId: '000.00.99.H99' }, 'UNKNOWN_AGENCY', '000.00.99.H99'],
    [
      'an agency without one-stop',
      { ...valid, agencyId: '000.00.00.H99' },
      'AGENCY_NOT_ONE_STOP',
      '000.00.00.H99',
    ],
    [
      'a Word file',
      { ...valid, mediaType: 'application/msword' },
      'UNSUPPORTED_MEDIA_TYPE',
      'application/pdf, image/jpeg, image/png, image/tiff',
    ],
    ['an empty file', { ...valid, size: 0 }, 'INVALID_SIZE', 'greater than 0'],
    ['a fractional size', { ...valid, size: 1.5 }, 'INVALID_SIZE', 'whole number'],
    ['a size as text', { ...valid, size: '1024' }, 'INVALID_SIZE', 'whole number'],
    ['a file over the limit', { ...valid, size: 25 * 1024 ** 2 + 1 }, 'FILE_TOO_LARGE', 'limit of 25 MB'],
    ['a short checksum', { ...valid, sha256: 'abc' }, 'INVALID_SHA256', '64 hex or 44 base64'],
    ['a missing checksum', { ...valid, sha256: undefined }, 'INVALID_SHA256', 'sha256'],
    ['a path in the dossier ID', { ...valid, dossierId: '../other' }, 'INVALID_DOSSIER_ID', 'dossierId'],
    ['the placeholder as dossier ID', { ...valid, dossierId: '_' }, 'INVALID_DOSSIER_ID', 'dossierId'],
    ['a long component ID', { ...valid, componentId: 'a'.repeat(65) }, 'INVALID_COMPONENT_ID', 'componentId'],
    ['a slash in the component ID', { ...valid, componentId: 'a/b' }, 'INVALID_COMPONENT_ID', 'componentId'],
  ])('rejects %s', (_case, input, code, message) => {
    const error = rejection(input);
    expect(error.code).toBe(code);
    expect(error.message).toContain(message);
  });

  it('states the limit of the province configuration', () => {
    const small = { ...config, uploads: { ...config.uploads, maxBytes: 5 * 1024 ** 2 } };
    expect(() => validateUploadRequest({ ...valid, size: 6 * 1024 ** 2 }, small)).toThrow('limit of 5 MB');
  });
});

describe('upload object keys', () => {
  it('builds and reads back a key', () => {
    const parts = {
      agencyId: '000.00.01.H99',
      dossierId: 'HS-1',
      componentId: 'TP_01',
      documentId: 'doc-123',
    };
    const key = uploadObjectKey(parts);
    expect(key).toBe('incoming/000.00.01.H99/HS-1/TP_01/doc-123');
    expect(parseUploadObjectKey(key)).toEqual(parts);
  });

  it('uses _ for a missing dossier or component', () => {
    const key = uploadObjectKey({ agencyId: '000.17.22.H99', documentId: 'doc-1' });
    expect(key).toBe('incoming/000.17.22.H99/_/_/doc-1');
    expect(parseUploadObjectKey(key)).toEqual({ agencyId: '000.17.22.H99', documentId: 'doc-1' });
  });

  it('refuses unsafe parts', () => {
    expect(() => uploadObjectKey({ agencyId: '000.00.01.H99', documentId: '../x' })).toThrow(ValidationError);
  });

  it.each([
    'incoming/000.00.01.H99/_/_',
    'incoming/000.00.01.H99/_/_/doc/extra',
    'archive/000.00.01.H99/_/_/doc',
    'incoming/000.00.01.H99/_/_/..',
    'incoming/000.00.01.H99/a b/_/doc',
    'incoming//_/_/doc',
  ])('does not read %s as an upload key', (key) => {
    expect(parseUploadObjectKey(key)).toBeUndefined();
  });
});
