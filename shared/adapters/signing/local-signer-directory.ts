import {
  createPrivateKey,
  createPublicKey,
  constants as cryptoConstants,
  generateKeyPair,
  type KeyObject,
  privateEncrypt,
} from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  buildSelfSignedCertificate,
  type SignatureAlgorithm,
  type SignerIdentity,
} from '#shared/adapters/signing/build-self-signed-certificate.ts';
import { signP256Digest } from '#shared/adapters/signing/sign-p256-digest.ts';
import { ValidationError } from '#shared/domain/errors.ts';
import type { DigestSigner, IssuedCertificateStore, SignerDirectory } from '#shared/ports.ts';

/** Key types the embedded runtime can generate (named as KMS key specs). */
export type LocalKeySpec = 'RSA_2048' | 'RSA_3072' | 'ECC_NIST_P256';

export interface LocalSignerDirectoryOptions {
  /** Folder holding `{agencyId}.key.pem` (mode 0600) and `{agencyId}.cert.pem`. */
  directory: string;
  /** Type of the keys generated for agencies that have none yet; existing keys are kept. */
  keySpec: LocalKeySpec;
  identityFor: (agencyId: string) => SignerIdentity;
  /**
   * Certificates a CA issued for the agencies' keys (`npm run signing:import`); one that
   * certifies the agency's key is used, with its chain, instead of the self-signed one.
   */
  issuedCertificates?: IssuedCertificateStore;
  /**
   * How long a loaded signer is kept before its files and imported certificate are read again
   * (only with issuedCertificates).
   * @default 60000
   */
  issuedCertificateRefreshMs?: number;
}

/** DER prefix of DigestInfo { sha256, OCTET STRING(32) } (RFC 8017 §9.2 note 1). */
const SHA256_DIGEST_INFO_PREFIX = Buffer.from('3031300d060960864801650304020105000420', 'hex');

const generateKeyPairAsync = promisify(generateKeyPair);

const generatePrivateKey = async (keySpec: LocalKeySpec): Promise<KeyObject> => {
  if (keySpec === 'ECC_NIST_P256')
    return (await generateKeyPairAsync('ec', { namedCurve: 'P-256' })).privateKey;
  const modulusLength = keySpec === 'RSA_2048' ? 2048 : 3072;
  return (await generateKeyPairAsync('rsa', { modulusLength })).privateKey;
};

const algorithmOf = (key: KeyObject): SignatureAlgorithm => {
  if (key.asymmetricKeyType === 'rsa') return 'RSASSA_PKCS1_V1_5_SHA_256';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1')
    return 'ECDSA_SHA_256';
  throw new Error(`unsupported signing key type: ${key.asymmetricKeyType}`);
};

/**
 * Makes raw signatures over SHA-256 digests, as KMS Sign with MessageType DIGEST returns them;
 * an EC key's scalar is exported once, not for every signature.
 */
const digestSignerFor = (key: KeyObject): ((digest: Uint8Array) => Uint8Array) => {
  const checked = (digest: Uint8Array) => {
    if (digest.length !== 32)
      throw new RangeError(`expected a 32-byte SHA-256 digest, got ${digest.length} bytes`);
    return digest;
  };
  if (algorithmOf(key) === 'ECDSA_SHA_256') {
    const d = key.export({ format: 'jwk' }).d;
    if (!d) throw new Error('EC private key without d');
    const scalar = Buffer.from(d, 'base64url');
    return (digest) => signP256Digest(scalar, checked(digest));
  }
  return (digest) => {
    const digestInfo = Buffer.concat([SHA256_DIGEST_INFO_PREFIX, checked(digest)]);
    return new Uint8Array(privateEncrypt({ key, padding: cryptoConstants.RSA_PKCS1_PADDING }, digestInfo));
  };
};

/** DER bytes as PEM with the given label (`CERTIFICATE`). */
export const derToPem = (der: Uint8Array, label: string): string => {
  const lines =
    Buffer.from(der)
      .toString('base64')
      .match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
};

/** The DER bytes of a PEM block. */
export const pemToDer = (pem: string): Uint8Array =>
  new Uint8Array(Buffer.from(pem.replace(/-----(BEGIN|END) [A-Z ]+-----|\s/g, ''), 'base64'));

/** A file's text, or undefined when there is no such file. */
export const readIfExists = async (path: string): Promise<string | undefined> => {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
};

/** Writes through a temporary file so that a crash never leaves half a PEM behind. */
export const writeAtomically = async (path: string, content: string, mode: number): Promise<void> => {
  const temporary = `${path}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(temporary, content, { mode });
  await rename(temporary, path);
};

const publicKeyDer = (key: KeyObject): Uint8Array =>
  new Uint8Array(createPublicKey(key).export({ format: 'der', type: 'spki' }));

/** True when the certificate's key is the private key's public half. */
const certificateMatchesKey = (certificateDer: Uint8Array, key: KeyObject): boolean =>
  Buffer.from(certificateDer).includes(Buffer.from(publicKeyDer(key)));

const createLocalSigner = (
  key: KeyObject,
  certificate: Uint8Array,
  chain: Uint8Array[] = [],
): DigestSigner => {
  const algorithm = algorithmOf(key);
  const signDigest = digestSignerFor(key);
  return {
    certificate: async () => certificate,
    chain: async () => chain,
    algorithm: () => algorithm,
    signDigest: async (digest) => signDigest(digest),
  };
};

/**
 * Signing keys of the embedded runtime: one key pair and self-signed certificate per agency,
 * generated on first use and kept as PEM files in `directory`, so signatures made before a
 * restart keep the same signer. A certificate imported for the key (options.issuedCertificates)
 * takes the self-signed one's place.
 */
export function createLocalSignerDirectory(options: LocalSignerDirectoryOptions): SignerDirectory {
  const signers = new Map<string, { signer: Promise<DigestSigner>; expiresAt: number }>();
  // With imported certificates, a signer is loaded again after a while so that an import
  // reaches a running back office, as an alias refresh does for KMS.
  const lifetimeMs = options.issuedCertificates
    ? (options.issuedCertificateRefreshMs ?? 60_000)
    : Number.POSITIVE_INFINITY;

  const loadOrCreate = async (agencyId: string): Promise<DigestSigner> => {
    const keyPath = join(options.directory, `${agencyId}.key.pem`);
    const certificatePath = join(options.directory, `${agencyId}.cert.pem`);
    const [keyPem, certificatePem] = await Promise.all([
      readIfExists(keyPath),
      readIfExists(certificatePath),
    ]);
    const issued = keyPem ? await options.issuedCertificates?.get(agencyId) : undefined;
    if (keyPem && issued) {
      const key = createPrivateKey(keyPem);
      if (certificateMatchesKey(issued.certificate, key))
        return createLocalSigner(key, issued.certificate, issued.chain);
    }
    if (keyPem && certificatePem) {
      const key = createPrivateKey(keyPem);
      const certificate = pemToDer(certificatePem);
      if (certificateMatchesKey(certificate, key)) return createLocalSigner(key, certificate);
    }
    const key = keyPem ? createPrivateKey(keyPem) : await generatePrivateKey(options.keySpec);
    const certificate = await buildSelfSignedCertificate({
      publicKey: publicKeyDer(key),
      identity: options.identityFor(agencyId),
      algorithm: algorithmOf(key),
      signDigest: async (digest) => digestSignerFor(key)(digest),
    });
    await mkdir(options.directory, { recursive: true, mode: 0o700 });
    if (!keyPem) {
      await writeAtomically(keyPath, key.export({ format: 'pem', type: 'pkcs8' }).toString(), 0o600);
    }
    await writeAtomically(certificatePath, derToPem(certificate, 'CERTIFICATE'), 0o644);
    return createLocalSigner(key, certificate);
  };

  return {
    forAgency(agencyId) {
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(agencyId)) {
        return Promise.reject(new ValidationError('INVALID_AGENCY_ID', `invalid agency id: ${agencyId}`));
      }
      const cached = signers.get(agencyId);
      if (cached && cached.expiresAt > Date.now()) return cached.signer;
      const signer = loadOrCreate(agencyId);
      signers.set(agencyId, { signer, expiresAt: Date.now() + lifetimeMs });
      signer.catch(() => {
        if (signers.get(agencyId)?.signer === signer) signers.delete(agencyId);
      });
      return signer;
    },
  };
}
