import { createPublicKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetPublicKeyCommand, KMSClient, SignCommand } from '@aws-sdk/client-kms';
import {
  GetObjectCommand,
  HeadObjectCommand,
  NotFound,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { CertificationRequest } from 'pkijs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { signerIdentityFor } from '#functions/create-signer-directory.ts';
import { createS3ObjectStore } from '#shared/adapters/aws/s3-object-store.ts';
import { createObjectIssuedCertificateStore } from '#shared/adapters/signing/issued-certificate-stores.ts';
import { createKmsSignerDirectory } from '#shared/adapters/signing/kms-signer-directory.ts';
import { signP256Digest } from '#shared/adapters/signing/sign-p256-digest.ts';
import { createPadesPdfSigner } from '#shared/adapters/signing/sign-pdf-pades.ts';
import { verifyPdfSignatures } from '#shared/adapters/signing/verify-pdf-signatures.ts';
import { loadProvinceConfig } from '#shared/config/load-province-config.ts';
import {
  type AgencyCertificateDeps,
  importAgencyCertificate,
  requestAgencyCertificate,
} from '#shared/use-cases/signing/agency-certificates.ts';
import { makeSamplePdf } from '#test/unit/signing/signing-fixtures.ts';
import {
  createTestCertificateAuthority,
  type TestCertificateAuthority,
} from '#test/unit/signing/test-certificate-authority.ts';

const province = loadProvinceConfig(join(import.meta.dirname, '../../infra/fixtures/test-province.yaml'));
const AGENCY = '000.17.22.H56';
const ALIAS = 'alias/motcua/test/000-17-22-H56';
const KEY_ARN = 'arn:aws:kms:ap-southeast-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const BUCKET = 'motcua-test-archive';
const OBJECT_KEY = `signing-certificates/${AGENCY}.pem`;

const kmsMock = mockClient(KMSClient);
const s3Mock = mockClient(S3Client);
let objects: Map<string, Uint8Array>;
let folder: string;
let ca: TestCertificateAuthority;

/** A P-256 key behind KEY_ARN, answering GetPublicKey and Sign (DIGEST) as KMS does. */
const fakeKmsKey = () => {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const d = Buffer.from(privateKey.export({ format: 'jwk' }).d ?? '', 'base64url');
  kmsMock.on(GetPublicKeyCommand).resolves({
    KeyId: KEY_ARN,
    KeySpec: 'ECC_NIST_P256',
    KeyUsage: 'SIGN_VERIFY',
    PublicKey: new Uint8Array(createPublicKey(privateKey).export({ format: 'der', type: 'spki' })),
  });
  kmsMock.on(SignCommand).callsFake((input: { KeyId: string; Message: Uint8Array }) => {
    if (input.KeyId !== KEY_ARN) throw new Error(`unknown key ${input.KeyId}`);
    return { KeyId: KEY_ARN, Signature: signP256Digest(d, input.Message) };
  });
};

/** The archive bucket as a map, through the S3 client the functions use. */
const fakeArchiveBucket = () => {
  objects = new Map();
  s3Mock.on(HeadObjectCommand).callsFake((input: { Bucket: string; Key: string }) => {
    const body = objects.get(`${input.Bucket}/${input.Key}`);
    if (!body) throw new NotFound({ message: 'Not Found', $metadata: {} });
    return { ContentLength: body.length };
  });
  s3Mock.on(GetObjectCommand).callsFake((input: { Bucket: string; Key: string }) => {
    const body = objects.get(`${input.Bucket}/${input.Key}`);
    return { Body: { transformToByteArray: async () => body } as never };
  });
  s3Mock.on(PutObjectCommand).callsFake((input: { Bucket: string; Key: string; Body: Uint8Array }) => {
    objects.set(`${input.Bucket}/${input.Key}`, input.Body);
    return {};
  });
};

/** What the signing functions and `signing:* --aws` build: a fresh directory, as a new container has. */
const awsDeps = (): AgencyCertificateDeps => {
  const identityFor = (agencyId: string) => signerIdentityFor(province, agencyId);
  const store = createObjectIssuedCertificateStore(
    createS3ObjectStore(new S3Client({ region: 'ap-southeast-1' })),
    BUCKET,
  );
  return {
    province,
    identityFor,
    store,
    clock: { now: () => new Date() },
    signers: createKmsSignerDirectory({
      kms: new KMSClient({ region: 'ap-southeast-1' }),
      keyIdFor: () => ALIAS,
      identityFor,
      issuedCertificates: store,
    }),
  };
};

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'motcua-kms-certificates-'));
  ca = await createTestCertificateAuthority(folder);
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

beforeEach(() => {
  kmsMock.reset();
  s3Mock.reset();
  fakeKmsKey();
  fakeArchiveBucket();
});

describe('agency certificates with KMS keys', () => {
  it("signs the request with KMS Sign on the key the alias resolved to, for the KMS key's public key", async () => {
    const der = await requestAgencyCertificate(awsDeps(), AGENCY);
    const request = CertificationRequest.fromBER(der);
    expect(await request.verify()).toBe(true);
    const { PublicKey } = await new KMSClient({ region: 'ap-southeast-1' }).send(
      new GetPublicKeyCommand({ KeyId: KEY_ARN }),
    );
    expect(Buffer.from(request.subjectPublicKeyInfo.toSchema().toBER())).toEqual(
      Buffer.from(PublicKey ?? []),
    );
    expect(kmsMock.commandCalls(GetPublicKeyCommand)[0]?.args[0].input.KeyId).toBe(ALIAS);
    const signs = kmsMock.commandCalls(SignCommand);
    expect(signs.length).toBeGreaterThan(0);
    for (const call of signs) {
      expect(call.args[0].input).toMatchObject({
        KeyId: KEY_ARN,
        MessageType: 'DIGEST',
        SigningAlgorithm: 'ECDSA_SHA_256',
      });
    }
  });

  it('stores the checked certificate in the archive bucket, and a new container signs with it and its chain', async () => {
    const certificate = await ca.issue(await requestAgencyCertificate(awsDeps(), AGENCY));
    await importAgencyCertificate(awsDeps(), AGENCY, { certificate, chain: [ca.issuing, ca.root] });
    const put = s3Mock.commandCalls(PutObjectCommand)[0]?.args[0].input;
    expect(put).toMatchObject({
      Bucket: BUCKET,
      Key: OBJECT_KEY,
      ContentType: 'application/pem-certificate-chain',
    });

    const signer = await awsDeps().signers.forAgency(AGENCY);
    expect(Buffer.from(await signer.certificate())).toEqual(Buffer.from(certificate));
    expect(await signer.chain?.()).toEqual([ca.issuing, ca.root]);
    const { pdf } = await createPadesPdfSigner().sign(await makeSamplePdf(), signer, {
      reason: 'Số hóa giấy tờ',
      location: 'Tỉnh Thử Nghiệm',
      signedAt: new Date(),
    });
    expect(await verifyPdfSignatures(pdf, { trustedRoots: [ca.root] })).toMatchObject([
      { valid: true, signer: 'Sở Tư pháp', chainTrusted: true },
    ]);
  });

  it('rejects a certificate for another key and stores nothing', async () => {
    const certificateForOldKey = await ca.issue(await requestAgencyCertificate(awsDeps(), AGENCY));
    fakeKmsKey(); // the alias now points at another key
    await expect(
      importAgencyCertificate(awsDeps(), AGENCY, {
        certificate: certificateForOldKey,
        chain: [ca.issuing, ca.root],
      }),
    ).rejects.toMatchObject({ code: 'CERTIFICATE_KEY_MISMATCH' });
    expect(s3Mock.commandCalls(PutObjectCommand)).toEqual([]);
  });

  it('falls back to the self-signed certificate when the stored one certifies a key the alias no longer names', async () => {
    const certificate = await ca.issue(await requestAgencyCertificate(awsDeps(), AGENCY));
    await importAgencyCertificate(awsDeps(), AGENCY, { certificate, chain: [ca.issuing, ca.root] });
    fakeKmsKey(); // rotation: the alias moved to a new key
    const signer = await awsDeps().signers.forAgency(AGENCY);
    const used = new X509Certificate(await signer.certificate());
    expect(used.raw.equals(certificate)).toBe(false);
    expect(used.issuer).toBe(used.subject);
    expect(used.verify(used.publicKey)).toBe(true);
    expect(await signer.chain?.()).toEqual([]);
  });

  it('takes the 403 S3 gives a role without s3:ListBucket for a missing key as no certificate imported', async () => {
    s3Mock
      .on(HeadObjectCommand)
      .rejects(
        Object.assign(new Error('Forbidden'), { name: 'Forbidden', $metadata: { httpStatusCode: 403 } }),
      );
    const signer = await awsDeps().signers.forAgency(AGENCY);
    expect(await signer.chain?.()).toEqual([]);
    expect(s3Mock.commandCalls(HeadObjectCommand)[0]?.args[0].input).toEqual({
      Bucket: BUCKET,
      Key: OBJECT_KEY,
    });
  });

  it('fails signing on any other S3 error rather than sign with a certificate it could not check', async () => {
    s3Mock
      .on(HeadObjectCommand)
      .rejects(
        Object.assign(new Error('SlowDown'), { name: 'SlowDown', $metadata: { httpStatusCode: 503 } }),
      );
    await expect(awsDeps().signers.forAgency(AGENCY)).rejects.toThrow('SlowDown');
  });
});
