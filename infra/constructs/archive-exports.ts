import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AccountRootPrincipal, type IRole, PolicyDocument, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { type IKey, Key, KeySpec, KeyUsage } from 'aws-cdk-lib/aws-kms';
import { Bucket, type IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ARCHIVE_EXPORT_SIGNER } from '#shared/adapters/signing/sign-manifest.ts';
import type { ProvinceConfig } from '#shared/config/province-config.ts';
import { signingKeyAlias } from '#shared/config/signing-key-alias.ts';
import { EXPORT_RETENTION_DAYS, EXPORTS_PREFIX } from '#shared/use-cases/archive/export-archive.ts';
import { acknowledgeNoReplication } from './acknowledge-bucket-rules.ts';
import { acknowledgeOnResource } from './acknowledge-on-resource.ts';
import { KEY_ADMINISTRATION_ACTIONS, SIGNING_ALGORITHMS } from './agency-signing-keys.ts';
import { grantObjects } from './grant-access.ts';
import { privateBucketProps } from './private-bucket-props.ts';

export interface ArchiveExportsProps {
  readonly config: ProvinceConfig;
  readonly dataKey: IKey;
  readonly accessLogs: IBucket;
}

/**
 * Archive export packages: a bucket of their own (not the archive's, whose Object Lock would keep
 * every hand-over copy for years), private, KMS-encrypted, TLS-only, access-logged, whose packages
 * expire after EXPORT_RETENTION_DAYS; and the province archive's own SIGN_VERIFY key
 * (`alias/motcua/{slug}/archive-exports`) that signs the manifests, usable by no one but the role
 * given to {@link allowExportBy}.
 */
export class ArchiveExports extends Construct {
  readonly bucket: Bucket;
  readonly signingKey: Key;
  private readonly signingAlgorithms: readonly string[];

  constructor(scope: Construct, id: string, props: ArchiveExportsProps) {
    super(scope, id);
    const { province, signing } = props.config;
    this.bucket = new Bucket(this, 'Bucket', {
      ...privateBucketProps(props.dataKey, props.accessLogs, 'exports/'),
      // A package is a copy for hand-over (the archive keeps the originals): it goes after a week.
      lifecycleRules: [
        {
          id: 'expire-export-packages',
          prefix: EXPORTS_PREFIX,
          expiration: Duration.days(EXPORT_RETENTION_DAYS),
          noncurrentVersionExpiration: Duration.days(1),
        },
        { id: 'abort-multipart-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
    });
    acknowledgeNoReplication(this.bucket);

    this.signingAlgorithms = SIGNING_ALGORITHMS[signing.keySpec];
    this.signingKey = new Key(this, 'SigningKey', {
      description: `motcua ${province.slug}: signing key of the archive's export manifests`,
      keySpec: KeySpec[signing.keySpec],
      keyUsage: KeyUsage.SIGN_VERIFY,
      alias: signingKeyAlias(province.slug, ARCHIVE_EXPORT_SIGNER),
      removalPolicy: RemovalPolicy.RETAIN,
      policy: new PolicyDocument({
        statements: [
          new PolicyStatement({
            sid: 'KeyAdministrationByTheAccount',
            principals: [new AccountRootPrincipal()],
            actions: [...KEY_ADMINISTRATION_ACTIONS],
            resources: ['*'],
          }),
        ],
      }),
    });
    const reason =
      'Asymmetric (SIGN_VERIFY) KMS keys do not support automatic rotation; the key rotates by alias: a new key takes the alias and the old one stays, since packages carry their certificate.';
    acknowledgeOnResource(
      this.signingKey,
      { id: 'AwsSolutions-KMS5', reason },
      { id: 'NIST.800.53.R5-KMSBackingKeyRotationEnabled', reason },
    );
  }

  /**
   * Lets `role` (the API's) write packages and their records under `exports/`, read them back
   * (their presigned download URLs carry its credentials), abort a failed multipart upload, and
   * sign digests with the manifest key (its algorithm only) through the key policy.
   */
  allowExportBy(role: IRole, dataKey: IKey): void {
    grantObjects(role, role, {
      bucket: this.bucket,
      key: dataKey,
      read: [EXPORTS_PREFIX],
      write: [EXPORTS_PREFIX],
      extraWriteActions: ['s3:AbortMultipartUpload'],
    });
    this.signingKey.addToResourcePolicy(
      new PolicyStatement({
        principals: [role],
        actions: ['kms:Sign'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'kms:MessageType': 'DIGEST', 'kms:SigningAlgorithm': [...this.signingAlgorithms] },
        },
      }),
    );
    this.signingKey.addToResourcePolicy(
      new PolicyStatement({ principals: [role], actions: ['kms:GetPublicKey'], resources: ['*'] }),
    );
  }
}
