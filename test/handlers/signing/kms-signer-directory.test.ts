import {
  constants,
  createHash,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  privateEncrypt,
  verify,
  X509Certificate,
} from 'node:crypto';
import { GetPublicKeyCommand, KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  createKmsSignerDirectory,
  UnsupportedSigningKeyError,
} from '#shared/adapters/signing/kms-signer-directory.ts';
import { signP256Digest } from '#shared/adapters/signing/sign-p256-digest.ts';
import { createPadesPdfSigner } from '#shared/adapters/signing/sign-pdf-pades.ts';
import { verifyPdfSignatures } from '#shared/adapters/signing/verify-pdf-signatures.ts';
import { makeSamplePdf, runPdfsig, SAMPLE_IDENTITY } from '#test/unit/signing/signing-fixtures.ts';

const KEY_ARN = 'arn:aws:kms:ap-southeast-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const DIGEST_INFO_SHA256 = Buffer.from('3031300d060960864801650304020105000420', 'hex');

const kmsMock = mockClient(KMSClient);

/** Answers GetPublicKey and Sign like KMS would, with a real local key pair. */
const fakeKmsKey = (keySpec: 'RSA_2048' | 'ECC_NIST_P256', keyArn = KEY_ARN) => {
  const { privateKey } =
    keySpec === 'RSA_2048'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const rawSign = (key: KeyObject, digest: Uint8Array): Uint8Array =>
    keySpec === 'RSA_2048'
      ? privateEncrypt(
          { key, padding: constants.RSA_PKCS1_PADDING },
          Buffer.concat([DIGEST_INFO_SHA256, digest]),
        )
      : signP256Digest(Buffer.from(key.export({ format: 'jwk' }).d ?? '', 'base64url'), digest);
  kmsMock.on(GetPublicKeyCommand).resolves({
    KeyId: keyArn,
    KeySpec: keySpec,
    KeyUsage: 'SIGN_VERIFY',
    PublicKey: new Uint8Array(createPublicKey(privateKey).export({ format: 'der', type: 'spki' })),
  });
  kmsMock.on(SignCommand).callsFake((input: { KeyId: string; Message: Uint8Array }) => {
    if (input.KeyId !== keyArn) throw new Error(`unknown key ${input.KeyId}`);
    return { KeyId: keyArn, Signature: rawSign(privateKey, input.Message) };
  });
  return privateKey;
};

const directoryWith = (keyId: string) =>
  createKmsSignerDirectory({
    kms: new KMSClient({ region: 'ap-southeast-1' }),
    keyIdFor: () => keyId,
    identityFor: () => SAMPLE_IDENTITY,
  });

beforeEach(() => {
  kmsMock.reset();
});

describe('createKmsSignerDirectory', () => {
  it.each([
    ['RSA_2048', 'RSASSA_PKCS1_V1_5_SHA_256'],
    ['ECC_NIST_P256', 'ECDSA_SHA_256'],
  ] as const)('%s: the signed PDF verifies (pkijs/node and pdfsig)', async (keySpec, algorithm) => {
    fakeKmsKey(keySpec);
    const signer = await directoryWith(KEY_ARN).forAgency('so-tu-phap');
    expect(signer.algorithm()).toBe(algorithm);
    const { pdf, info } = await createPadesPdfSigner().sign(await makeSamplePdf(), signer, {
      reason: 'Số hoá giấy tờ',
      location: 'Tỉnh Mẫu',
      signedAt: new Date('2025-06-01T00:00:00Z'),
    });
    expect(info.algorithm).toBe(algorithm);
    expect(await verifyPdfSignatures(pdf)).toMatchObject([
      { valid: true, signer: 'Sở Tư pháp tỉnh Mẫu', message: 'Chữ ký hợp lệ' },
    ]);
    expect(await runPdfsig(pdf)).toContain('Signature Validation: Signature is Valid.');
    for (const call of kmsMock.commandCalls(SignCommand)) {
      expect(call.args[0].input).toMatchObject({
        KeyId: KEY_ARN,
        MessageType: 'DIGEST',
        SigningAlgorithm: algorithm,
      });
      expect(call.args[0].input.Message).toHaveLength(32);
    }
  });

  it('calls GetPublicKey once per key and self-signs the certificate through KMS once', async () => {
    fakeKmsKey('ECC_NIST_P256');
    const directory = directoryWith(KEY_ARN);
    const first = await directory.forAgency('so-tu-phap');
    const again = await directory.forAgency('so-tu-phap');
    expect(kmsMock.commandCalls(GetPublicKeyCommand)).toHaveLength(1);
    expect(kmsMock.commandCalls(SignCommand)).toHaveLength(1);
    expect(Buffer.from(await again.certificate())).toEqual(Buffer.from(await first.certificate()));
    const certificate = new X509Certificate(await first.certificate());
    expect(certificate.verify(certificate.publicKey)).toBe(true);
    expect(certificate.validFrom).toBe('Jan  1 00:00:00 2025 GMT');
  });

  it('signs with the key ARN an alias resolved to, so signature and certificate always match', async () => {
    const privateKey = fakeKmsKey('RSA_2048');
    const signer = await directoryWith('alias/motcua-so-tu-phap').forAgency('so-tu-phap');
    expect(kmsMock.commandCalls(GetPublicKeyCommand)[0]?.args[0].input.KeyId).toBe('alias/motcua-so-tu-phap');
    const message = Buffer.from('một cửa');
    const digest = createHash('sha256').update(message).digest();
    const signature = await signer.signDigest(digest);
    expect(verify('sha256', message, createPublicKey(privateKey), signature)).toBe(true);
    expect(kmsMock.commandCalls(SignCommand).every((call) => call.args[0].input.KeyId === KEY_ARN)).toBe(
      true,
    );
  });

  it('refuses keys that cannot sign PAdES', async () => {
    kmsMock.on(GetPublicKeyCommand).resolves({
      KeyId: KEY_ARN,
      KeySpec: 'ECC_SECG_P256K1',
      KeyUsage: 'SIGN_VERIFY',
      PublicKey: new Uint8Array(8),
    });
    await expect(directoryWith(KEY_ARN).forAgency('so-tu-phap')).rejects.toBeInstanceOf(
      UnsupportedSigningKeyError,
    );
  });

  it('does not cache a failure', async () => {
    kmsMock.on(GetPublicKeyCommand).rejectsOnce(new Error('throttled'));
    const directory = directoryWith(KEY_ARN);
    await expect(directory.forAgency('so-tu-phap')).rejects.toThrow('throttled');
    fakeKmsKey('ECC_NIST_P256');
    await expect(directory.forAgency('so-tu-phap')).resolves.toBeDefined();
  });
});
