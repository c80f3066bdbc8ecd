import { createHash, verify, X509Certificate } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as asn1js from 'asn1js';
import { Certificate } from 'pkijs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readCommonName } from '#shared/adapters/signing/build-self-signed-certificate.ts';
import { createLocalSignerDirectory } from '#shared/adapters/signing/local-signer-directory.ts';
import { ValidationError } from '#shared/domain/errors.ts';
import { SAMPLE_IDENTITY } from '#test/unit/signing/signing-fixtures.ts';

let folder: string;
beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'motcua-keys-'));
});
afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

const directoryFor = (keySpec: 'RSA_2048' | 'ECC_NIST_P256', identity = SAMPLE_IDENTITY) =>
  createLocalSignerDirectory({ directory: folder, keySpec, identityFor: () => identity });

describe('createLocalSignerDirectory', () => {
  it.each([
    ['RSA_2048', 'RSASSA_PKCS1_V1_5_SHA_256'],
    ['ECC_NIST_P256', 'ECDSA_SHA_256'],
  ] as const)(
    '%s: signDigest makes a raw signature over the digest that verifies',
    async (keySpec, algorithm) => {
      const signer = await directoryFor(keySpec).forAgency('so-tu-phap');
      expect(signer.algorithm()).toBe(algorithm);
      const message = Buffer.from('Giấy khai sinh số 12/2025');
      const signature = await signer.signDigest(createHash('sha256').update(message).digest());
      const publicKey = new X509Certificate(await signer.certificate()).publicKey;
      expect(verify('sha256', message, publicKey, signature)).toBe(true);
      expect(verify('sha256', Buffer.from('Giấy khai sinh số 13/2025'), publicKey, signature)).toBe(false);
    },
  );

  it('keeps the key and certificate across two directory instances on the same folder', async () => {
    const first = await directoryFor('ECC_NIST_P256').forAgency('so-tu-phap');
    const restarted = await directoryFor('ECC_NIST_P256').forAgency('so-tu-phap');
    expect(Buffer.from(await restarted.certificate())).toEqual(Buffer.from(await first.certificate()));
    const digest = createHash('sha256').update('x').digest();
    const publicKey = new X509Certificate(await first.certificate()).publicKey;
    expect(verify('sha256', Buffer.from('x'), publicKey, await restarted.signDigest(digest))).toBe(true);
    expect((await readdir(folder)).sort()).toEqual(['so-tu-phap.cert.pem', 'so-tu-phap.key.pem']);
    expect((await stat(join(folder, 'so-tu-phap.key.pem'))).mode & 0o777).toBe(0o600);
    expect(await readFile(join(folder, 'so-tu-phap.key.pem'), 'utf8')).toMatch(
      /^-----BEGIN PRIVATE KEY-----/,
    );
  });

  it('gives each agency its own key', async () => {
    const directory = directoryFor('ECC_NIST_P256');
    const a = await directory.forAgency('so-tu-phap');
    const b = await directory.forAgency('ubnd-xa-a');
    expect(Buffer.from(await a.certificate())).not.toEqual(Buffer.from(await b.certificate()));
  });

  it('names the subject in UTF-8 NFC, one attribute per RDN, PrintableString country', async () => {
    const decomposed = { ...SAMPLE_IDENTITY, commonName: SAMPLE_IDENTITY.commonName.normalize('NFD') };
    const der = await (await directoryFor('ECC_NIST_P256', decomposed).forAgency('so-tu-phap')).certificate();
    const certificate = Certificate.fromBER(der);
    expect(readCommonName(certificate)).toBe('Sở Tư pháp tỉnh Mẫu');
    const rdns = (certificate.subject.toSchema() as asn1js.Sequence).valueBlock.value as asn1js.Set[];
    expect(rdns.map((rdn) => rdn.valueBlock.value.length)).toEqual([1, 1, 1, 1]);
    const values = certificate.subject.typesAndValues.map((t) => [t.type, t.value.constructor.name]);
    expect(values).toEqual([
      ['2.5.4.6', 'PrintableString'],
      ['2.5.4.8', 'Utf8String'],
      ['2.5.4.10', 'Utf8String'],
      ['2.5.4.3', 'Utf8String'],
    ]);
    const utf8 = Buffer.from('Sở Tư pháp tỉnh Mẫu', 'utf8');
    const doubleEncoded = Buffer.from(utf8.toString('latin1'), 'utf8');
    expect(Buffer.from(der).includes(utf8)).toBe(true);
    expect(Buffer.from(der).includes(doubleEncoded)).toBe(false);
    expect(certificate.issuer.isEqual(certificate.subject)).toBe(true);
  });

  it('rejects agency ids that could escape the key folder', async () => {
    await expect(directoryFor('RSA_2048').forAgency('../etc/passwd')).rejects.toBeInstanceOf(ValidationError);
  });
});
