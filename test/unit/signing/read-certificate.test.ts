import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  buildSelfSignedCertificate,
  certificateFingerprint,
  describeCertificate,
  readCertificate,
} from '#shared/adapters/signing/build-self-signed-certificate.ts';
import { signP256Digest } from '#shared/adapters/signing/sign-p256-digest.ts';
import { SAMPLE_IDENTITY } from '#test/unit/signing/signing-fixtures.ts';

const makeCertificate = async (commonName: string) => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const d = Buffer.from(privateKey.export({ format: 'jwk' }).d ?? '', 'base64url');
  const der = await buildSelfSignedCertificate({
    publicKey: new Uint8Array(publicKey.export({ format: 'der', type: 'spki' })),
    identity: { ...SAMPLE_IDENTITY, commonName },
    algorithm: 'ECDSA_SHA_256',
    signDigest: async (digest) => signP256Digest(d, digest),
    notBefore: new Date('2025-01-02T03:04:05Z'),
  });
  return { der, publicKey };
};

describe('readCertificate', () => {
  it('reads the same bytes once, whatever array holds them, and other bytes as another certificate', async () => {
    const first = await makeCertificate('Sở Tư pháp tỉnh Mẫu');
    const second = await makeCertificate('Sở Tài chính tỉnh Mẫu');

    const read = readCertificate(first.der);
    expect(readCertificate(Uint8Array.from(first.der))).toBe(read);
    expect(read).toMatchObject({
      fingerprint: certificateFingerprint(first.der),
      commonName: 'Sở Tư pháp tỉnh Mẫu',
      details: {
        subject: 'C=VN, ST=Tỉnh Mẫu, O=Ủy ban nhân dân tỉnh Mẫu, CN=Sở Tư pháp tỉnh Mẫu',
        notBefore: '2025-01-02T03:04:05.000Z',
      },
    });
    expect(read.publicKey?.equals(first.publicKey)).toBe(true);

    const other = readCertificate(second.der);
    expect(other).not.toBe(read);
    expect(other.fingerprint).toBe(certificateFingerprint(second.der));
    expect(other.commonName).toBe('Sở Tài chính tỉnh Mẫu');
    expect(other.publicKey?.equals(second.publicKey)).toBe(true);
    expect(describeCertificate(second.der)).toEqual(other.details);
  });

  it('keeps what it read when the caller later reuses the bytes it was given', async () => {
    const { der } = await makeCertificate('Sở Xây dựng tỉnh Mẫu');
    const bytes = Uint8Array.from(der);
    const read = readCertificate(bytes);
    bytes.fill(0);
    expect(read.commonName).toBe('Sở Xây dựng tỉnh Mẫu');
    expect(new Uint8Array(read.certificate.toSchema().toBER())).toEqual(der);
  });

  it('refuses bytes that are no certificate', () => {
    expect(() => readCertificate(Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x01))).toThrow();
  });
});
