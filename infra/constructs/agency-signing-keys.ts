import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Key, KeySpec, KeyUsage } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import type { ProvinceConfig } from '#shared/config/province-config.ts';
import { signingKeyAlias } from '#shared/config/signing-key-alias.ts';

/**
 * One asymmetric KMS signing key per one-stop agency, aliased
 * `alias/motcua/{slug}/{agency-id}` (dots as dashes) and retained on delete.
 *
 * Asymmetric KMS keys cannot rotate automatically: rotate by creating a new key and moving
 * the alias to it, and keep the old key (enabled for Verify) so earlier signatures still verify.
 */
export class AgencySigningKeys extends Construct {
  /** Agency ID → signing key. */
  readonly keys: ReadonlyMap<string, Key>;

  constructor(scope: Construct, id: string, props: { config: ProvinceConfig }) {
    super(scope, id);
    const { province, agencies, signing } = props.config;
    const keys = new Map<string, Key>();
    for (const agency of agencies.filter((candidate) => candidate.oneStop)) {
      const key = new Key(this, agency.id, {
        description: `motcua ${province.slug}: PAdES signing key of ${agency.name} (${agency.id})`,
        keySpec: KeySpec[signing.keySpec],
        keyUsage: KeyUsage.SIGN_VERIFY,
        alias: signingKeyAlias(province.slug, agency.id),
        removalPolicy: RemovalPolicy.RETAIN,
      });
      const reason =
        'Asymmetric (SIGN_VERIFY) KMS keys do not support automatic rotation; they rotate by alias: a new key takes the alias and the old one stays for verifying earlier signatures.';
      Validations.of(key).acknowledge(
        { id: 'AwsSolutions-KMS5', reason },
        { id: 'NIST.800.53.R5-KMSBackingKeyRotationEnabled', reason },
      );
      keys.set(agency.id, key);
    }
    this.keys = keys;
  }
}
