import { execFile } from 'node:child_process';
import { createPublicKey, X509Certificate } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Certificate, CertificationRequest, ContentInfo, SignedData } from 'pkijs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signerIdentityFor } from '#functions/create-signer-directory.ts';
import { readCommonName } from '#shared/adapters/signing/build-self-signed-certificate.ts';
import { IssuedCertificateError } from '#shared/adapters/signing/check-issued-certificate.ts';
import { createPdfSignatureVerifier } from '#shared/adapters/signing/create-pdf-signature-verifier.ts';
import { createFileIssuedCertificateStore } from '#shared/adapters/signing/issued-certificate-stores.ts';
import { createLocalSignerDirectory } from '#shared/adapters/signing/local-signer-directory.ts';
import { createPadesPdfSigner } from '#shared/adapters/signing/sign-pdf-pades.ts';
import { verifyPdfSignatures } from '#shared/adapters/signing/verify-pdf-signatures.ts';
import { loadProvinceConfig } from '#shared/config/load-province-config.ts';
import {
  type AgencyCertificateDeps,
  importAgencyCertificate,
  requestAgencyCertificate,
} from '#shared/use-cases/signing/agency-certificates.ts';
import { makeSamplePdf, runPdfsig } from '#test/unit/signing/signing-fixtures.ts';
import {
  createTestCertificateAuthority,
  type TestCertificateAuthority,
} from '#test/unit/signing/test-certificate-authority.ts';

const execFileAsync = promisify(execFile);
const province = loadProvinceConfig(join(import.meta.dirname, '../../infra/fixtures/test-province.yaml'));
const AGENCY = '000.17.22.H56';
const OTHER_AGENCY = '000.00.00.H56';
const YEAR_MS = 365 * 24 * 3600_000;

let folder: string;
let ca: TestCertificateAuthority;

const depsAt = (now?: Date): AgencyCertificateDeps => {
  const directory = join(folder, 'signing-keys');
  const identityFor = (agencyId: string) => signerIdentityFor(province, agencyId);
  const store = createFileIssuedCertificateStore(directory);
  return {
    province,
    identityFor,
    store,
    // A new directory per call, as a restarted back office reads the key folder afresh.
    signers: createLocalSignerDirectory({
      directory,
      keySpec: province.signing.keySpec,
      identityFor,
      issuedCertificates: store,
    }),
    clock: { now: () => now ?? new Date() },
  };
};

const spkiOf = (der: Uint8Array) =>
  new X509Certificate(der).publicKey.export({ format: 'der', type: 'spki' });

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'motcua-agency-certificates-'));
  ca = await createTestCertificateAuthority(folder);
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('requestAgencyCertificate (embedded runtime, local key)', () => {
  it("is a PKCS#10 request signed by the agency's key that names the agency and asks for signing key usage", async () => {
    const deps = depsAt();
    const der = await requestAgencyCertificate(deps, AGENCY);
    const request = CertificationRequest.fromBER(der);
    expect(await request.verify()).toBe(true);
    const subject = request.subject.typesAndValues.map((attribute) => [
      attribute.type,
      (attribute.value.valueBlock as { value: string }).value,
    ]);
    expect(subject).toEqual([
      ['2.5.4.6', 'VN'],
      ['2.5.4.8', 'Tỉnh Thử Nghiệm'],
      ['2.5.4.10', 'Ủy ban nhân dân tỉnh Thử Nghiệm'],
      ['2.5.4.3', 'Sở Tư pháp'],
    ]);
    const signerCertificate = await (await deps.signers.forAgency(AGENCY)).certificate();
    expect(Buffer.from(request.subjectPublicKeyInfo.toSchema().toBER())).toEqual(spkiOf(signerCertificate));
    const file = join(folder, 'request.der');
    await writeFile(file, der);
    const { stderr } = await execFileAsync('openssl', [
      'req',
      '-in',
      file,
      '-inform',
      'DER',
      '-verify',
      '-noout',
    ]);
    expect(stderr).toMatch(/verify OK|self-signature ok/i);
  });

  it('refuses an agency that is not a one-stop unit, and one the province does not have', async () => {
    await expect(requestAgencyCertificate(depsAt(), '000.20.31.H56')).rejects.toMatchObject({
      code: 'AGENCY_HAS_NO_SIGNING_KEY',
    });
    await expect(requestAgencyCertificate(depsAt(), '000.99.99.H56')).rejects.toMatchObject({
      code: 'UNKNOWN_AGENCY',
    });
  });
});

describe('importAgencyCertificate', () => {
  const issueFor = async (agencyId: string, options?: { days?: number; extensions?: string }) =>
    ca.issue(await requestAgencyCertificate(depsAt(), agencyId), options);

  const rejection = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(IssuedCertificateError);
    return error as IssuedCertificateError;
  };

  it("rejects a certificate for another agency's key", async () => {
    const certificate = await issueFor(OTHER_AGENCY);
    const error = await rejection(
      importAgencyCertificate(depsAt(), AGENCY, { certificate, chain: [ca.issuing, ca.root] }),
    );
    expect(error.code).toBe('CERTIFICATE_KEY_MISMATCH');
    expect(await depsAt().store.get(AGENCY)).toBeUndefined();
  });

  it('rejects an expired certificate', async () => {
    const certificate = await issueFor(AGENCY, { days: 30 });
    const later = new Date(Date.now() + YEAR_MS);
    const error = await rejection(
      importAgencyCertificate(depsAt(later), AGENCY, { certificate, chain: [ca.issuing, ca.root] }),
    );
    expect(error.code).toBe('CERTIFICATE_EXPIRED');
    expect(error.message).toContain('Sở Tư pháp');
  });

  it('rejects a certificate without nonRepudiation in its keyUsage', async () => {
    const certificate = await issueFor(AGENCY, { extensions: 'keyUsage=critical,digitalSignature\n' });
    const error = await rejection(
      importAgencyCertificate(depsAt(), AGENCY, { certificate, chain: [ca.issuing, ca.root] }),
    );
    expect(error.code).toBe('CERTIFICATE_KEY_USAGE');
  });

  it('rejects a broken chain: a missing issuer, an impostor issuer of the same name, no chain at all', async () => {
    const certificate = await issueFor(AGENCY);
    const missing = await rejection(
      importAgencyCertificate(depsAt(), AGENCY, { certificate, chain: [ca.root] }),
    );
    expect(missing.code).toBe('CERTIFICATE_CHAIN_BROKEN');
    expect(missing.message).toContain('no certificate of the chain issued');

    const impostor = await createTestCertificateAuthority(folder, 'Impostor');
    const forged = await rejection(
      importAgencyCertificate(depsAt(), AGENCY, { certificate, chain: [impostor.issuing, impostor.root] }),
    );
    expect(forged.code).toBe('CERTIFICATE_CHAIN_BROKEN');
    expect(forged.message).toContain('does not verify');

    const none = await rejection(importAgencyCertificate(depsAt(), AGENCY, { certificate, chain: [] }));
    expect(none.code).toBe('CERTIFICATE_CHAIN_MISSING');
    expect(await depsAt().store.get(AGENCY)).toBeUndefined();
  });

  describe('after an import', () => {
    let certificate: Uint8Array;
    let signed: Uint8Array;

    beforeAll(async () => {
      certificate = await issueFor(AGENCY);
      // The chain in any order: stored issuer first, root last.
      const stored = await importAgencyCertificate(depsAt(), AGENCY, {
        certificate,
        chain: [ca.root, ca.issuing],
      });
      expect(stored.chain).toEqual([ca.issuing, ca.root]);
      const signer = await depsAt().signers.forAgency(AGENCY);
      ({ pdf: signed } = await createPadesPdfSigner().sign(await makeSamplePdf(), signer, {
        reason: 'Số hóa giấy tờ',
        location: 'Tỉnh Thử Nghiệm',
        signedAt: new Date(),
      }));
    });

    it('signs with the issued certificate and carries its chain in the CMS', async () => {
      const [verification] = await verifyPdfSignatures(signed, { trustedRoots: [ca.root] });
      expect(verification).toMatchObject({ valid: true, signer: 'Sở Tư pháp', chainTrusted: true });
      const field = /\/Contents\s*<([0-9A-Fa-f]+)>/.exec(Buffer.from(signed).toString('latin1'));
      const signedData = new SignedData({
        schema: ContentInfo.fromBER(Buffer.from(field?.[1] ?? '', 'hex')).content,
      });
      const carried = (signedData.certificates ?? []).map((c) =>
        Buffer.from((c as Certificate).toSchema().toBER()),
      );
      expect(carried).toEqual([certificate, ca.issuing, ca.root].map((der) => Buffer.from(der)));
      expect(readCommonName(Certificate.fromBER(carried[0] ?? new Uint8Array()))).toBe('Sở Tư pháp');
    });

    it("is checked against the agency's imported root by the archive's verifier", async () => {
      const verifier = createPdfSignatureVerifier(depsAt().store);
      expect(await verifier.verify(signed, { agencyId: AGENCY })).toMatchObject([
        { valid: true, chainTrusted: true },
      ]);
      // Another agency's imported root (none yet) or no agency: the chain is not judged.
      const [unjudged] = await verifier.verify(signed, { agencyId: OTHER_AGENCY });
      expect(unjudged?.chainTrusted).toBeUndefined();
      expect((await verifier.verify(signed))[0]?.chainTrusted).toBeUndefined();
    });

    it('is not trusted against the root of another CA', async () => {
      const other = await createTestCertificateAuthority(folder, 'Other');
      const [verification] = await verifyPdfSignatures(signed, { trustedRoots: [other.root] });
      expect(verification).toMatchObject({ valid: true, chainTrusted: false });
    });

    it('is valid for poppler pdfsig', async () => {
      const report = await runPdfsig(signed);
      expect(report).toContain('Signature Validation: Signature is Valid.');
      expect(report).toContain('Signer Certificate Common Name: Sở Tư pháp');
    });

    it('keeps the same key: a new request after the import certifies the same public key', async () => {
      const request = CertificationRequest.fromBER(await requestAgencyCertificate(depsAt(), AGENCY));
      const key = createPublicKey({
        key: Buffer.from(request.subjectPublicKeyInfo.toSchema().toBER()),
        format: 'der',
        type: 'spki',
      });
      expect(key.export({ format: 'der', type: 'spki' })).toEqual(spkiOf(certificate));
    });
  });

  it('reaches a running signer directory without a restart', async () => {
    const deps = depsAt();
    const directory = join(folder, 'signing-keys');
    const running = createLocalSignerDirectory({
      directory,
      keySpec: province.signing.keySpec,
      identityFor: deps.identityFor,
      issuedCertificates: deps.store,
      issuedCertificateRefreshMs: 0,
    });
    expect(await (await running.forAgency(OTHER_AGENCY)).chain?.()).toEqual([]);
    const certificate = await ca.issue(await requestAgencyCertificate(deps, OTHER_AGENCY));
    await importAgencyCertificate(deps, OTHER_AGENCY, { certificate, chain: [ca.issuing, ca.root] });
    const signer = await running.forAgency(OTHER_AGENCY);
    expect(Buffer.from(await signer.certificate())).toEqual(Buffer.from(certificate));
    expect(await signer.chain?.()).toEqual([ca.issuing, ca.root]);
  });
});
