import { createHash, generateKeyPairSync, verify } from 'node:crypto';
import * as asn1js from 'asn1js';
import { describe, expect, it } from 'vitest';
import { signP256Digest } from '#shared/adapters/signing/sign-p256-digest.ts';

const sha256 = (text: string) => createHash('sha256').update(text).digest();

const decodeDerSignature = (der: Uint8Array) => {
  const sequence = asn1js.fromBER(der).result as asn1js.Sequence;
  const [r, s] = sequence.valueBlock.value as asn1js.Integer[];
  return { r: r?.toBigInt().toString(16).toUpperCase(), s: s?.toBigInt().toString(16).toUpperCase() };
};

describe('signP256Digest', () => {
  it('matches the RFC 6979 A.2.5 test vector (P-256, SHA-256, "sample")', () => {
    const privateKey = Buffer.from('C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721', 'hex');
    const signature = decodeDerSignature(signP256Digest(privateKey, sha256('sample')));
    expect(signature).toEqual({
      r: 'EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716',
      s: 'F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8',
    });
  });

  it('signs the given digest without hashing it again: node:crypto verifies it against the message', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const d = Buffer.from(privateKey.export({ format: 'jwk' }).d ?? '', 'base64url');
    for (const message of ['một cửa', 'liên thông', 'x'.repeat(1000)]) {
      const signature = signP256Digest(d, sha256(message));
      expect(verify('sha256', Buffer.from(message), publicKey, signature)).toBe(true);
      expect(verify('sha256', Buffer.from(`${message}!`), publicKey, signature)).toBe(false);
    }
  });

  it('rejects anything but a 32-byte digest', () => {
    expect(() => signP256Digest(Buffer.alloc(32, 1), Buffer.alloc(20))).toThrow(RangeError);
  });
});
