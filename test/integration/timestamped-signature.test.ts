import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as pkijs from 'pkijs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type LocalTimestampAuthorityServer,
  startLocalTimestampAuthority,
} from '#infra/local/local-timestamp-authority.ts';
import { buildSelfSignedCertificate } from '#shared/adapters/signing/build-self-signed-certificate.ts';
import { createHttpTimestampAuthority } from '#shared/adapters/signing/http-timestamp-authority.ts';
import { signP256Digest } from '#shared/adapters/signing/sign-p256-digest.ts';
import { createPadesPdfSigner } from '#shared/adapters/signing/sign-pdf-pades.ts';
import { verifyPdfSignatures } from '#shared/adapters/signing/verify-pdf-signatures.ts';
import { loadProvinceConfig } from '#shared/config/load-province-config.ts';
import type { SignatureInfo } from '#shared/domain/document.ts';
import type { DigestSigner } from '#shared/ports.ts';
import { createReadArchiveRecord } from '#shared/use-cases/archive/read-archive-record.ts';
import { makeDocumentRecord } from '#test/support/document-records.ts';
import { createInMemoryAuditTrail } from '#test/support/in-memory-audit-trail.ts';
import { createInMemoryObjectStore, createInMemoryRepository } from '#test/support/in-memory-ports.ts';
import { makeSamplePdf, runPdfsig, SAMPLE_IDENTITY } from '#test/unit/signing/signing-fixtures.ts';

const HOUR = 60 * 60 * 1000;
const OPTIONS = { reason: 'Số hoá giấy tờ hồ sơ', location: 'Tỉnh Mẫu' };

let folder: string;
let tsa: LocalTimestampAuthorityServer;
/** A signer whose certificate is valid from an hour ago to an hour from now. */
let shortLived: DigestSigner;
let notAfter: Date;
/** A year after the certificate expired. */
let later: Date;
let timestamped: { pdf: Uint8Array; info: SignatureInfo };
let untimestamped: { pdf: Uint8Array; info: SignatureInfo };

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'motcua-bt-'));
  tsa = await startLocalTimestampAuthority({ directory: join(folder, 'timestamp-authority') });
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const d = Buffer.from(privateKey.export({ format: 'jwk' }).d ?? '', 'base64url');
  const signDigest = async (digest: Uint8Array) => signP256Digest(d, digest);
  const now = Date.now();
  notAfter = new Date(Math.floor((now + HOUR) / 1000) * 1000);
  later = new Date(notAfter.getTime() + 365 * 24 * HOUR);
  const certificate = await buildSelfSignedCertificate({
    publicKey: new Uint8Array(createPublicKey(privateKey).export({ format: 'der', type: 'spki' })),
    identity: SAMPLE_IDENTITY,
    algorithm: 'ECDSA_SHA_256',
    signDigest,
    notBefore: new Date(now - HOUR),
    notAfter,
  });
  shortLived = { certificate: async () => certificate, algorithm: () => 'ECDSA_SHA_256', signDigest };
  const signedAt = new Date();
  timestamped = await createPadesPdfSigner({
    timestamps: createHttpTimestampAuthority({ url: tsa.url }),
  }).sign(await makeSamplePdf(), shortLived, { ...OPTIONS, signedAt });
  untimestamped = await createPadesPdfSigner().sign(await makeSamplePdf(), shortLived, {
    ...OPTIONS,
    signedAt,
  });
});

afterAll(async () => {
  await tsa?.stop();
  await rm(folder, { recursive: true, force: true });
});

describe('a signature timestamped by the local TSA (PAdES B-T)', () => {
  it('records the timestamp at signing', () => {
    expect(timestamped.info.timestamp).toMatchObject({
      authority: 'Dịch vụ cấp dấu thời gian cục bộ motcua',
      serialNumber: expect.stringMatching(/^[0-9a-f]+$/),
    });
    const genTime = new Date(timestamped.info.timestamp?.genTime ?? '');
    expect(genTime.getTime()).toBeLessThan(notAfter.getTime());
    expect(untimestamped.info.timestamp).toBeUndefined();
  });

  it('verifies today on the certificate itself, and reports the timestamp', async () => {
    const [result] = await verifyPdfSignatures(timestamped.pdf);
    expect(result).toMatchObject({
      valid: true,
      certificateValidAt: 'verification-time',
      certificateValidity: { status: 'valid', notAfter: notAfter.toISOString() },
      timestamp: { imprintMatches: true, signatureValid: true, withinCertificateValidity: true, valid: true },
    });
  });

  it('still verifies with the clock moved past the certificate expiry, on the strength of its timestamp', async () => {
    const [result] = await verifyPdfSignatures(timestamped.pdf, { at: later });
    expect(result).toMatchObject({
      valid: true,
      message: 'Chữ ký hợp lệ',
      certificateValidity: { status: 'expired', notAfter: notAfter.toISOString() },
      certificateValidAt: 'timestamp',
      timestamp: {
        genTime: timestamped.info.timestamp?.genTime,
        authority: 'Dịch vụ cấp dấu thời gian cục bộ motcua',
        serialNumber: timestamped.info.timestamp?.serialNumber,
        certificateFingerprint: createHash('sha256').update(tsa.certificate).digest('hex'),
        imprintMatches: true,
        signatureValid: true,
        withinCertificateValidity: true,
        valid: true,
      },
    });
  });

  it('reports the same signature without a timestamp as made with an expired certificate', async () => {
    const [result] = await verifyPdfSignatures(untimestamped.pdf, { at: later });
    expect(result).toMatchObject({
      valid: false,
      integrity: true,
      signatureValid: true,
      certificateValidity: { status: 'expired' },
      message: expect.stringContaining('Chứng thư số đã hết hạn'),
    });
    expect(result?.timestamp).toBeUndefined();
    expect(result?.certificateValidAt).toBeUndefined();
    expect((await verifyPdfSignatures(untimestamped.pdf))[0]?.valid).toBe(true);
  });

  it('does not accept a timestamp made after the certificate expired', async () => {
    const lateTsa = await startLocalTimestampAuthority({
      directory: join(folder, 'late-timestamp-authority'),
      now: () => new Date(notAfter.getTime() + HOUR),
    });
    try {
      const { pdf } = await createPadesPdfSigner({
        timestamps: createHttpTimestampAuthority({ url: lateTsa.url }),
      }).sign(await makeSamplePdf(), shortLived, { ...OPTIONS, signedAt: new Date() });
      const [result] = await verifyPdfSignatures(pdf, { at: later });
      expect(result).toMatchObject({
        valid: false,
        timestamp: { imprintMatches: true, signatureValid: true, withinCertificateValidity: false },
        message: 'Dấu thời gian nằm ngoài thời hạn hiệu lực của chứng thư số',
      });
    } finally {
      await lateTsa.stop();
    }
  });

  it('reports a timestamp that is not over the signature value as broken', async () => {
    const other = await createPadesPdfSigner({
      timestamps: createHttpTimestampAuthority({ url: tsa.url }),
    }).sign(await makeSamplePdf(), shortLived, {
      ...OPTIONS,
      // Another reason: within the same second the same content would give the same (deterministic)
      // ECDSA signature, and so the same imprint.
      reason: 'Another signature',
      signedAt: new Date(),
    });
    // Graft the other signature's token onto this one, re-encoding the CMS (tokens differ in length
    // by a byte or two: serials and ECDSA signatures are not fixed-size).
    const contents = (pdf: Uint8Array) => {
      const text = Buffer.from(pdf).toString('latin1');
      const start = text.indexOf('/Contents <') + '/Contents <'.length;
      const hex = text.slice(start, text.indexOf('>', start));
      const der = Buffer.from(hex, 'hex');
      const signed = new pkijs.SignedData({
        schema: pkijs.ContentInfo.fromBER(new Uint8Array(der).buffer).content,
      });
      return { start, length: hex.length, signed };
    };
    const mine = contents(timestamped.pdf);
    const theirs = contents(other.pdf);
    const tokenAttribute = (signed: pkijs.SignedData) =>
      signed.signerInfos[0]?.unsignedAttrs?.attributes[0] as pkijs.Attribute;
    tokenAttribute(mine.signed).values = tokenAttribute(theirs.signed).values;
    const encoded = Buffer.from(
      new pkijs.ContentInfo({
        contentType: pkijs.ContentInfo.SIGNED_DATA,
        content: mine.signed.toSchema(true),
      })
        .toSchema()
        .toBER(),
    ).toString('hex');
    expect(encoded.length).toBeLessThanOrEqual(mine.length);
    const grafted = Buffer.from(timestamped.pdf);
    grafted.write(encoded.padEnd(mine.length, '0'), mine.start, 'latin1');
    const [result] = await verifyPdfSignatures(grafted);
    expect(result).toMatchObject({
      valid: false,
      integrity: true,
      signatureValid: true,
      timestamp: { imprintMatches: false, valid: false },
      message: 'Dấu thời gian của chữ ký không hợp lệ',
    });
  });

  it('is reported valid by pdfsig, which checks the signature (not the timestamp)', async () => {
    const report = await runPdfsig(timestamped.pdf);
    // poppler 22.12 names the signer, the signing time from /M, "Signature is Valid." and
    // "Certificate issuer is unknown." (self-signed); it prints nothing about the RFC 3161 token.
    expect(report).toContain('Signature Validation: Signature is Valid.');
    expect(report).toContain('Signer Certificate Common Name: Sở Tư pháp tỉnh Mẫu');
  });
});

describe('an archive record verified after the certificate expired', () => {
  async function verifyArchived(signed: { pdf: Uint8Array; info: SignatureInfo }, at: Date) {
    const repository = createInMemoryRepository();
    const objects = createInMemoryObjectStore();
    const code = '038319001234.KS.01';
    const retainUntil = new Date('2126-11-22T03:00:00.000Z');
    const prefix = `038319001234/${code}`;
    const put = (key: string, bytes: Uint8Array) => objects.put('archive', key, bytes, { retainUntil });
    const signedVersion = (await put(`${prefix}/${code}.pdf`, signed.pdf)).versionId;
    const textVersion = (await put(`${prefix}/text.txt`, new TextEncoder().encode('GIẤY KHAI SINH')))
      .versionId;
    await repository.create(
      makeDocumentRecord('d1', {
        status: 'ARCHIVED',
        agencyId: '000.00.01.H99',
        code,
        classification: {
          docType: 'KS',
          ownerId: '038319001234',
          confidence: 0.97,
          decidedBy: 'classifier',
        },
        signature: signed.info,
        archive: {
          bucket: 'archive',
          signedPdfKey: `${prefix}/${code}.pdf`,
          originalKey: `${prefix}/original.jpg`,
          textKey: `${prefix}/text.txt`,
          retainUntil: retainUntil.toISOString(),
          versions: { signedPdf: signedVersion, text: textVersion },
        },
      }),
    );
    await repository.putArchiveEntry({
      code,
      documentId: 'd1',
      ownerId: '038319001234',
      docType: 'KS',
      agencyId: '000.00.01.H99',
      archivedAt: new Date().toISOString(),
      signedPdfKey: `${prefix}/${code}.pdf`,
    });
    const read = createReadArchiveRecord({
      config: loadProvinceConfig('config/provinces/sample-province.yaml'),
      repository,
      objects,
      audit: createInMemoryAuditTrail(),
      clock: { now: () => at },
      verifier: { verify: verifyPdfSignatures },
    });
    const auditor = { userId: 'auditor-1', roles: new Set(['auditor'] as const) };
    return (await read(auditor, code, { verify: true })).verification;
  }

  it('is valid on its timestamp, which the record shows', async () => {
    expect(await verifyArchived(timestamped, later)).toMatchObject({
      hashMatches: true,
      certificateMatchesRecorded: true,
      signatureValid: true,
      certificate: { status: 'expired', notAfter: notAfter.toISOString() },
      certificateValidAt: 'timestamp',
      timestamp: { genTime: timestamped.info.timestamp?.genTime, valid: true },
    });
  });

  it('is not valid without a timestamp, and says the certificate expired', async () => {
    const verification = await verifyArchived(untimestamped, later);
    expect(verification).toMatchObject({
      hashMatches: true,
      certificateMatchesRecorded: true,
      signatureValid: false,
      certificate: { status: 'expired' },
    });
    expect(verification?.timestamp).toBeUndefined();
    expect(verification?.certificateValidAt).toBeUndefined();
  });
});
