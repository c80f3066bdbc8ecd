import { createHash } from 'node:crypto';
import { NestedStack, RemovalPolicy } from 'aws-cdk-lib';
import { AccountRootPrincipal, type IRole, PolicyDocument, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { type IKey, Key, KeySpec, KeyUsage } from 'aws-cdk-lib/aws-kms';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ISSUED_CERTIFICATES_PREFIX } from '#shared/adapters/signing/issued-certificate-stores.ts';
import type { ProvinceConfig } from '#shared/config/province-config.ts';
import { signingKeyAlias } from '#shared/config/signing-key-alias.ts';
import { acknowledgeOnResource } from './acknowledge-on-resource.ts';
import { grantObjects } from './grant-access.ts';
import type { MotcuaFunction } from './motcua-function.ts';

type SigningKeySpec = ProvinceConfig['signing']['keySpec'];

/**
 * The KMS signing algorithm the KMS signer (shared/adapters/signing/kms-signer-directory.ts)
 * uses for each key spec; the key policies allow no other.
 */
export const SIGNING_ALGORITHMS: Readonly<Record<SigningKeySpec, readonly string[]>> = {
  RSA_2048: ['RSASSA_PKCS1_V1_5_SHA_256'],
  RSA_3072: ['RSASSA_PKCS1_V1_5_SHA_256'],
  ECC_NIST_P256: ['ECDSA_SHA_256'],
};

/**
 * What the account (through IAM policies: deployments, key administrators) may do with a
 * signing key: manage it, never use it. No Sign, GetPublicKey or Verify, and no CreateGrant,
 * which would let an administrator hand usage to anyone without changing the key policy.
 */
export const KEY_ADMINISTRATION_ACTIONS = [
  'kms:DescribeKey',
  'kms:GetKeyPolicy',
  'kms:GetKeyRotationStatus',
  'kms:ListGrants',
  'kms:ListKeyPolicies',
  'kms:ListResourceTags',
  'kms:PutKeyPolicy',
  'kms:UpdateKeyDescription',
  'kms:EnableKey',
  'kms:DisableKey',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:CreateAlias',
  'kms:UpdateAlias',
  'kms:DeleteAlias',
  'kms:RevokeGrant',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
] as const;

/**
 * How many nested stacks hold the keys. Fixed for the life of a province: an agency's stack is
 * a hash of its id modulo this number, so adding or removing agencies never moves another
 * agency's key (a moved key would be a new key and a clashing alias). At two resources per
 * agency, 8 stacks take about 1,600 one-stop units before one nears CloudFormation's 500.
 */
export const SIGNING_KEY_STACKS = 8;

/** Keys + aliases a key stack may hold (2 resources per agency), well below the 500 per stack. */
export const MAX_AGENCIES_PER_KEY_STACK = 200;

/** The nested stack (0 … SIGNING_KEY_STACKS - 1) that holds an agency's key. */
export function signingKeyStackIndex(agencyId: string): number {
  return createHash('sha256').update(agencyId).digest().readUInt32BE(0) % SIGNING_KEY_STACKS;
}

/**
 * One asymmetric KMS signing key per one-stop agency, aliased
 * `alias/motcua/{slug}/{agency-id}` (dots as dashes) and retained on delete.
 *
 * Each key policy is explicit, not CDK's default (which gives the account root `kms:*`): the
 * account keeps administration (KEY_ADMINISTRATION_ACTIONS, so the key never becomes
 * unmanageable), and only the role passed to {@link allowSigningBy} may sign. IAM policies
 * cannot add usage, so the keys' `grant*` methods have no effect: use `allowSigningBy`.
 *
 * Asymmetric KMS keys cannot rotate automatically: rotate by creating a new key and moving
 * the alias to it, and keep the old key (earlier signatures verify with the public key their
 * certificate carries, not through KMS, so no one needs kms:Verify).
 *
 * The keys and aliases live in nested stacks (`KeysN`, see {@link signingKeyStackIndex}) so that
 * a province of hundreds of communes stays under CloudFormation's 500 resources per stack.
 * Usage is granted in the key policies only, naming each role by ARN (a nested-stack parameter
 * per role): a role needs no IAM statement for these keys, and the parent stack needs no output
 * per key, nor a policy listing hundreds of key ARNs (IAM's 10 KB per role would not hold them).
 */
export class AgencySigningKeys extends Construct {
  /** Agency ID → signing key. */
  readonly keys: ReadonlyMap<string, Key>;
  /** The nested stacks holding the keys, in index order (only those with at least one key). */
  readonly stacks: readonly NestedStack[];
  /** The algorithms the keys may sign with (`kms:SigningAlgorithm`). */
  readonly signingAlgorithms: readonly string[];

  constructor(scope: Construct, id: string, props: { config: ProvinceConfig }) {
    super(scope, id);
    const { province, agencies, signing } = props.config;
    this.signingAlgorithms = SIGNING_ALGORITHMS[signing.keySpec];
    const keys = new Map<string, Key>();
    const stacks = new Map<number, { stack: NestedStack; agencies: number }>();
    const stackFor = (agencyId: string) => {
      const index = signingKeyStackIndex(agencyId);
      let entry = stacks.get(index);
      if (!entry) {
        const stack = new NestedStack(this, `Keys${index}`, {
          description: `motcua ${province.slug}: agency signing keys, part ${index}`,
        });
        entry = { stack, agencies: 0 };
        stacks.set(index, entry);
      }
      if (++entry.agencies > MAX_AGENCIES_PER_KEY_STACK)
        throw new Error(
          `signing key stack ${index} would hold more than ${MAX_AGENCIES_PER_KEY_STACK} agencies: raise SIGNING_KEY_STACKS for a new province`,
        );
      return entry.stack;
    };
    for (const agency of agencies.filter((candidate) => candidate.oneStop)) {
      const key = new Key(stackFor(agency.id), agency.id, {
        description: `motcua ${province.slug}: PAdES signing key of ${agency.name} (${agency.id})`,
        keySpec: KeySpec[signing.keySpec],
        keyUsage: KeyUsage.SIGN_VERIFY,
        alias: signingKeyAlias(province.slug, agency.id),
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
        'Asymmetric (SIGN_VERIFY) KMS keys do not support automatic rotation; they rotate by alias: a new key takes the alias and the old one stays for verifying earlier signatures.';
      acknowledgeOnResource(
        key,
        { id: 'AwsSolutions-KMS5', reason },
        { id: 'NIST.800.53.R5-KMSBackingKeyRotationEnabled', reason },
      );
      keys.set(agency.id, key);
    }
    this.keys = keys;
    this.stacks = [...stacks.entries()].sort(([a], [b]) => a - b).map(([, entry]) => entry.stack);
  }

  /**
   * Lets `role` sign SHA-256 digests (MessageType DIGEST, the key spec's algorithm only) and
   * read the public key, through each key's policy; no other principal may use the keys.
   */
  allowSigningBy(role: IRole): void {
    for (const agencyId of this.keys.keys()) this.allowSigningWith(agencyId, role);
  }

  /** Lets `role` sign with one agency's key only (as {@link allowSigningBy} does for all). */
  allowSigningWith(agencyId: string, role: IRole): void {
    const key = this.keys.get(agencyId);
    if (!key) throw new Error(`agency ${agencyId} has no signing key (only one-stop agencies have one)`);
    key.addToResourcePolicy(
      new PolicyStatement({
        principals: [role],
        actions: ['kms:Sign'],
        resources: ['*'],
        conditions: {
          StringEquals: {
            'kms:MessageType': 'DIGEST',
            'kms:SigningAlgorithm': [...this.signingAlgorithms],
          },
        },
      }),
    );
    key.addToResourcePolicy(
      new PolicyStatement({ principals: [role], actions: ['kms:GetPublicKey'], resources: ['*'] }),
    );
  }
}

/**
 * Lets a signing function read the certificates imported for the agencies' keys
 * (`signing-certificates/` of the archive bucket, written by `npm run signing:import -- --aws`)
 * and tells it the bucket; that prefix only, and no s3:ListBucket (the archive's keys name the
 * documents' owners).
 */
export function allowReadingIssuedCertificates(
  fn: MotcuaFunction,
  archive: { bucket: IBucket; dataKey: IKey },
): void {
  grantObjects(fn.role, fn.role, {
    bucket: archive.bucket,
    key: archive.dataKey,
    read: [ISSUED_CERTIFICATES_PREFIX],
  });
  fn.function.addEnvironment('ARCHIVE_BUCKET', archive.bucket.bucketName);
}
