import { p256 } from '@noble/curves/nist.js';

/**
 * ECDSA P-256 signature over a SHA-256 digest as given (no further hashing), DER-encoded
 * (`Ecdsa-Sig-Value`), exactly what KMS Sign returns with MessageType DIGEST. node:crypto
 * always hashes its input for EC keys, hence @noble/curves with prehash off (RFC 6979 nonces).
 */
export function signP256Digest(privateKey: Uint8Array, digest: Uint8Array): Uint8Array {
  if (digest.length !== 32)
    throw new RangeError(`expected a 32-byte SHA-256 digest, got ${digest.length} bytes`);
  if (!p256.utils.isValidSecretKey(privateKey)) throw new RangeError('invalid P-256 private key');
  return p256.sign(digest, privateKey, { prehash: false, lowS: false, format: 'der' });
}
