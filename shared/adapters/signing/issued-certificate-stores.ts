import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  formatPemCertificates,
  parsePemCertificates,
} from '#shared/adapters/signing/check-issued-certificate.ts';
import { ValidationError } from '#shared/domain/errors.ts';
import type { IssuedCertificate, IssuedCertificateStore, ObjectStore } from '#shared/ports.ts';

/** Where an agency's imported certificate lives in the archive bucket (AWS). */
export const ISSUED_CERTIFICATES_PREFIX = 'signing-certificates/';

const AGENCY_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

const checkedAgencyId = (agencyId: string): string => {
  if (!AGENCY_ID.test(agencyId))
    throw new ValidationError('INVALID_AGENCY_ID', `invalid agency id: ${agencyId}`);
  return agencyId;
};

/** The certificate first, then its chain (issuer first, root last), as one PEM bundle. */
const toBundle = (issued: IssuedCertificate): string =>
  formatPemCertificates([issued.certificate, ...issued.chain]);

const fromBundle = (pem: string, where: string): IssuedCertificate => {
  const [certificate, ...chain] = parsePemCertificates(pem, where);
  if (!certificate) throw new Error(`${where} holds no certificate`);
  return { certificate, chain };
};

/**
 * Imported certificates of the embedded runtime: `{agencyId}.issued.pem` (certificate then
 * chain) next to the agency's key in the signing-keys folder of the data folder.
 */
export function createFileIssuedCertificateStore(directory: string): IssuedCertificateStore {
  const pathOf = (agencyId: string) => join(directory, `${checkedAgencyId(agencyId)}.issued.pem`);
  return {
    async get(agencyId) {
      const path = pathOf(agencyId);
      try {
        return fromBundle(await readFile(path, 'utf8'), path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
    async put(agencyId, issued) {
      const path = pathOf(agencyId);
      await mkdir(directory, { recursive: true, mode: 0o700 });
      const temporary = `${path}.${process.pid}.${Date.now()}.tmp`;
      await writeFile(temporary, toBundle(issued), { mode: 0o644 });
      await rename(temporary, path);
    },
  };
}

/**
 * S3 answers a HEAD of a missing key with 403, not 404, to a role without s3:ListBucket, which
 * the signing roles must not have (the archive's keys name the documents' owners); their
 * s3:GetObject on this prefix is granted, so a 403 here means that no certificate was imported.
 */
const headOrForbidden = async (objects: ObjectStore, bucket: string, key: string) => {
  try {
    return await objects.head(bucket, key);
  } catch (error) {
    if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 403)
      return undefined;
    throw error;
  }
};

/**
 * Imported certificates in AWS: one PEM bundle per agency at
 * `signing-certificates/{agencyId}.pem` of the archive bucket, whose versioning and Object Lock
 * keep every certificate ever imported (a re-import is a new version; the current one signs).
 */
export function createObjectIssuedCertificateStore(
  objects: ObjectStore,
  bucket: string,
): IssuedCertificateStore {
  const keyOf = (agencyId: string) => `${ISSUED_CERTIFICATES_PREFIX}${checkedAgencyId(agencyId)}.pem`;
  return {
    async get(agencyId) {
      const key = keyOf(agencyId);
      if (!(await headOrForbidden(objects, bucket, key))) return undefined;
      return fromBundle(
        Buffer.from(await objects.get(bucket, key)).toString('utf8'),
        `s3://${bucket}/${key}`,
      );
    },
    async put(agencyId, issued) {
      await objects.put(bucket, keyOf(agencyId), Buffer.from(toBundle(issued)), {
        contentType: 'application/pem-certificate-chain',
      });
    },
  };
}
