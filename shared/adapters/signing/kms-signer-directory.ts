import { createHash, X509Certificate } from 'node:crypto';
import { GetPublicKeyCommand, type KMSClient, SignCommand } from '@aws-sdk/client-kms';
import {
  buildSelfSignedCertificate,
  type SignatureAlgorithm,
  type SignerIdentity,
} from '#shared/adapters/signing/build-self-signed-certificate.ts';
import type { DigestSigner, IssuedCertificateStore, SignerDirectory } from '#shared/ports.ts';

export interface KmsSignerDirectoryOptions {
  kms: KMSClient;
  /** Key id, key ARN or alias (`alias/…`) of an agency's asymmetric SIGN_VERIFY key. */
  keyIdFor: (agencyId: string) => string;
  identityFor: (agencyId: string) => SignerIdentity;
  /**
   * Start of the self-signed certificates' validity; fixed so that every Lambda container
   * builds the same TBS for a key (same serial, dates, subject).
   * @default 2025-01-01T00:00:00Z
   */
  certificateValidFrom?: Date;
  /** @default 20 */
  certificateValidityYears?: number;
  /**
   * How long an alias stays resolved to a key; after that GetPublicKey runs again, so a
   * rotation by alias reaches warm containers. Key ids and ARNs are resolved once.
   * @default 900000 (15 minutes)
   */
  aliasRefreshMs?: number;
  /**
   * Certificates a CA issued for the agencies' keys (`npm run signing:import`). One that
   * certifies the key GetPublicKey returned is used with its chain; otherwise (none imported, or
   * the alias has moved to a new key since) the key's self-signed certificate. Read again when an
   * alias is resolved again (aliasRefreshMs).
   */
  issuedCertificates?: IssuedCertificateStore;
}

/** The KMS key spec does not sign with an algorithm this project supports. */
export class UnsupportedSigningKeyError extends Error {
  override readonly name = 'UnsupportedSigningKeyError';
}

const algorithmForKeySpec = (keySpec: string | undefined, keyId: string): SignatureAlgorithm => {
  if (keySpec?.startsWith('RSA_')) return 'RSASSA_PKCS1_V1_5_SHA_256';
  if (keySpec === 'ECC_NIST_P256') return 'ECDSA_SHA_256';
  throw new UnsupportedSigningKeyError(
    `KMS key ${keyId} has key spec ${keySpec}: use RSA_* or ECC_NIST_P256`,
  );
};

const sameKey = (certificate: X509Certificate, spki: Uint8Array): boolean =>
  certificate.publicKey.export({ format: 'der', type: 'spki' }).equals(spki);

const isAlias = (keyId: string): boolean => keyId.startsWith('alias/') || keyId.includes(':alias/');

/**
 * Signing keys in AWS KMS: each agency's key signs digests (Sign, MessageType DIGEST); its
 * certificate is self-signed through KMS as well and built once per key and container.
 * Signing uses the key ARN GetPublicKey resolved, never the alias, so that a signature always
 * matches the certificate it ships with, even while the alias moves to a new key.
 */
export function createKmsSignerDirectory(options: KmsSignerDirectoryOptions): SignerDirectory {
  const validFrom = options.certificateValidFrom ?? new Date('2025-01-01T00:00:00Z');
  const aliasRefreshMs = options.aliasRefreshMs ?? 15 * 60_000;
  const byRequestedKey = new Map<string, { signer: Promise<DigestSigner>; expiresAt: number }>();
  const certificates = new Map<string, Promise<Uint8Array>>();

  const signDigestWith = async (keyId: string, algorithm: SignatureAlgorithm, digest: Uint8Array) => {
    if (digest.length !== 32)
      throw new RangeError(`expected a 32-byte SHA-256 digest, got ${digest.length} bytes`);
    const response = await options.kms.send(
      new SignCommand({ KeyId: keyId, Message: digest, MessageType: 'DIGEST', SigningAlgorithm: algorithm }),
    );
    if (!response.Signature) throw new Error(`KMS Sign returned no signature for ${keyId}`);
    return response.Signature;
  };

  const certificateFor = (
    keyArn: string,
    publicKey: Uint8Array,
    algorithm: SignatureAlgorithm,
    agencyId: string,
  ) => {
    const cacheKey = `${keyArn}\n${agencyId}`;
    let certificate = certificates.get(cacheKey);
    if (!certificate) {
      certificate = buildSelfSignedCertificate({
        publicKey,
        identity: options.identityFor(agencyId),
        algorithm,
        signDigest: (digest) => signDigestWith(keyArn, algorithm, digest),
        notBefore: validFrom,
        validityYears: options.certificateValidityYears ?? 20,
        serialSeed: createHash('sha256').update(publicKey).digest(),
      });
      certificates.set(cacheKey, certificate);
      certificate.catch(() => certificates.delete(cacheKey));
    }
    return certificate;
  };

  const resolve = async (agencyId: string, requestedKeyId: string): Promise<DigestSigner> => {
    const key = await options.kms.send(new GetPublicKeyCommand({ KeyId: requestedKeyId }));
    if (!key.PublicKey || !key.KeyId)
      throw new Error(`KMS GetPublicKey returned no key for ${requestedKeyId}`);
    if (key.KeyUsage && key.KeyUsage !== 'SIGN_VERIFY') {
      throw new UnsupportedSigningKeyError(`KMS key ${key.KeyId} is not a signing key (${key.KeyUsage})`);
    }
    const keyArn = key.KeyId;
    const algorithm = algorithmForKeySpec(key.KeySpec, keyArn);
    const issued = await options.issuedCertificates?.get(agencyId);
    const certifiesKey =
      issued !== undefined && sameKey(new X509Certificate(issued.certificate), key.PublicKey);
    const certificate = certifiesKey
      ? issued.certificate
      : await certificateFor(keyArn, key.PublicKey, algorithm, agencyId);
    const chain = certifiesKey ? issued.chain : [];
    return {
      certificate: async () => certificate,
      chain: async () => chain,
      algorithm: () => algorithm,
      signDigest: (digest) => signDigestWith(keyArn, algorithm, digest),
    };
  };

  return {
    async forAgency(agencyId) {
      const requestedKeyId = options.keyIdFor(agencyId);
      const cacheKey = `${agencyId}\n${requestedKeyId}`;
      const cached = byRequestedKey.get(cacheKey);
      if (cached && cached.expiresAt > Date.now()) return cached.signer;
      const signer = resolve(agencyId, requestedKeyId);
      const expiresAt = isAlias(requestedKeyId) ? Date.now() + aliasRefreshMs : Number.POSITIVE_INFINITY;
      byRequestedKey.set(cacheKey, { signer, expiresAt });
      signer.catch(() => {
        if (byRequestedKey.get(cacheKey)?.signer === signer) byRequestedKey.delete(cacheKey);
      });
      return signer;
    },
  };
}
