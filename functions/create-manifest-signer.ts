import { KMSClient } from '@aws-sdk/client-kms';
import { awsClientSettings } from '#shared/adapters/aws/aws-client-settings.ts';
import type { Observability } from '#shared/adapters/observability/create-observability.ts';
import { createKmsSignerDirectory } from '#shared/adapters/signing/kms-signer-directory.ts';
import { createLocalSignerDirectory } from '#shared/adapters/signing/local-signer-directory.ts';
import { ARCHIVE_EXPORT_SIGNER, createManifestSigner } from '#shared/adapters/signing/sign-manifest.ts';
import type { RuntimeConfig } from '#shared/config/runtime-config.ts';
import { signingKeyAlias } from '#shared/config/signing-key-alias.ts';
import type { ManifestSigner } from '#shared/ports/archive-export.ts';

/**
 * The province archive's manifest signer: its own key, not an agency's (KMS alias
 * `alias/motcua/{slug}/archive-exports` in AWS, whose key policy lets only the API sign; a local
 * key beside the agencies' in the embedded runtime). Nothing is loaded or called until the first
 * export.
 */
export function createArchiveManifestSigner(
  config: RuntimeConfig,
  observability: Observability,
): ManifestSigner {
  const province = config.provinceConfig;
  const identityFor = () => ({
    commonName: `Lưu trữ điện tử ${province.province.name}`,
    organisation: province.signing.organisation,
    province: province.province.name,
    country: province.signing.country,
  });
  const directory =
    config.signer.kind === 'local'
      ? createLocalSignerDirectory({
          directory: config.signer.directory,
          keySpec: province.signing.keySpec,
          identityFor,
        })
      : createKmsSignerDirectory({
          kms: observability.traced(new KMSClient(awsClientSettings(config.aws, 'kms'))),
          keyIdFor: (name) => signingKeyAlias(province.province.slug, name),
          identityFor,
        });
  return createManifestSigner(directory, ARCHIVE_EXPORT_SIGNER);
}
