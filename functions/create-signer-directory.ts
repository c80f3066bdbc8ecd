import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { awsClientSettings } from '#shared/adapters/aws/aws-client-settings.ts';
import { createS3ObjectStore } from '#shared/adapters/aws/s3-object-store.ts';
import type { Observability } from '#shared/adapters/observability/create-observability.ts';
import type { SignerIdentity } from '#shared/adapters/signing/build-self-signed-certificate.ts';
import {
  createFileIssuedCertificateStore,
  createObjectIssuedCertificateStore,
} from '#shared/adapters/signing/issued-certificate-stores.ts';
import { createKmsSignerDirectory } from '#shared/adapters/signing/kms-signer-directory.ts';
import { createLocalSignerDirectory } from '#shared/adapters/signing/local-signer-directory.ts';
import type { ProvinceConfig } from '#shared/config/province-config.ts';
import type { RuntimeConfig } from '#shared/config/runtime-config.ts';
import { signingKeyAlias } from '#shared/config/signing-key-alias.ts';
import type { IssuedCertificateStore, SignerDirectory } from '#shared/ports.ts';

/** Who an agency's certificate names: the agency, the province's signing organisation, the province. */
export function signerIdentityFor(province: ProvinceConfig, agencyId: string): SignerIdentity {
  return {
    commonName: province.agencies.find((agency) => agency.id === agencyId)?.name ?? agencyId,
    organisation: province.signing.organisation,
    province: province.province.name,
    country: province.signing.country,
  };
}

/**
 * Where `npm run signing:import` puts the agencies' CA-issued certificates: the key folder in the
 * embedded runtime, the archive bucket's signing-certificates/ in AWS (undefined for a function
 * without ARCHIVE_BUCKET).
 */
export function createIssuedCertificateStore(
  config: RuntimeConfig,
  observability: Observability,
): IssuedCertificateStore | undefined {
  if (config.signer.kind === 'local') return createFileIssuedCertificateStore(config.signer.directory);
  const archive = config.buckets.archive;
  if (!archive) return undefined;
  const s3 = observability.traced(new S3Client(awsClientSettings(config.aws, 's3')));
  return createObjectIssuedCertificateStore(createS3ObjectStore(s3), archive);
}

/** The agencies' signing keys (KMS in AWS, PEM files in the embedded runtime) with their imported certificates. */
export function createSignerDirectory(config: RuntimeConfig, observability: Observability): SignerDirectory {
  const province = config.provinceConfig;
  const identityFor = (agencyId: string) => signerIdentityFor(province, agencyId);
  const issuedCertificates = createIssuedCertificateStore(config, observability);
  if (config.signer.kind === 'local') {
    return createLocalSignerDirectory({
      directory: config.signer.directory,
      keySpec: province.signing.keySpec,
      identityFor,
      ...(issuedCertificates ? { issuedCertificates } : {}),
    });
  }
  return createKmsSignerDirectory({
    kms: observability.traced(new KMSClient(awsClientSettings(config.aws, 'kms'))),
    keyIdFor: (agencyId: string) => signingKeyAlias(province.province.slug, agencyId),
    identityFor,
    ...(issuedCertificates ? { issuedCertificates } : {}),
  });
}
