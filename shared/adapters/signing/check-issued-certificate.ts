import { createPublicKey, X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import { Certificate } from 'pkijs';
import { ValidationError } from '#shared/domain/errors.ts';
import type { IssuedCertificate } from '#shared/ports.ts';

/** Why an issued certificate or its chain was refused (`code` names the check). */
export class IssuedCertificateError extends ValidationError {}

const KEY_USAGE_OID = '2.5.29.15';
/** Bits of the KeyUsage BIT STRING, first bit = bit 0 (RFC 5280 §4.2.1.3). */
const DIGITAL_SIGNATURE = 0;
const NON_REPUDIATION = 1;

/** How far this machine's clock may lag the CA's: a certificate issued a moment ago is valid. */
const CLOCK_SKEW_MS = 5 * 60_000;

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;

/** The DER certificates of a PEM text, in file order (a bundle or a single certificate). */
export function parsePemCertificates(pem: string, what: string): Uint8Array[] {
  const ders = [...pem.matchAll(PEM_CERTIFICATE)].map(
    (match) => new Uint8Array(Buffer.from((match[1] ?? '').replace(/\s/g, ''), 'base64')),
  );
  if (ders.length === 0)
    throw new IssuedCertificateError('CERTIFICATE_UNREADABLE', `${what} holds no PEM certificate`);
  return ders;
}

/** DER certificates as one PEM bundle. */
export function formatPemCertificates(ders: readonly Uint8Array[]): string {
  return ders
    .map((der) => {
      const lines =
        Buffer.from(der)
          .toString('base64')
          .match(/.{1,64}/g) ?? [];
      return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
    })
    .join('');
}

const x509 = (der: Uint8Array, what: string): X509Certificate => {
  try {
    return new X509Certificate(der);
  } catch (error) {
    throw new IssuedCertificateError(
      'CERTIFICATE_UNREADABLE',
      `${what} is not an X.509 certificate: ${(error as Error).message}`,
    );
  }
};

const spkiOf = (certificate: X509Certificate): Buffer =>
  certificate.publicKey.export({ format: 'der', type: 'spki' });

const isSelfSigned = (certificate: X509Certificate): boolean =>
  certificate.checkIssued(certificate) && certificate.verify(certificate.publicKey);

/** Whether the certificate's keyUsage extension is present and has both bits set. */
const allowsNonRepudiableSignatures = (der: Uint8Array): boolean => {
  const extension = Certificate.fromBER(der).extensions?.find(
    (candidate) => candidate.extnID === KEY_USAGE_OID,
  );
  if (!extension) return false;
  const bits = asn1js.fromBER(extension.extnValue.valueBlock.valueHexView).result;
  if (!(bits instanceof asn1js.BitString)) return false;
  const bytes = bits.valueBlock.valueHexView;
  const bit = (n: number) => (((bytes[Math.floor(n / 8)] ?? 0) >> (7 - (n % 8))) & 1) === 1;
  return bit(DIGITAL_SIGNATURE) && bit(NON_REPUDIATION);
};

const checkValidity = (certificate: X509Certificate, what: string, now: Date): void => {
  if (now.getTime() + CLOCK_SKEW_MS < new Date(certificate.validFrom).getTime())
    throw new IssuedCertificateError(
      'CERTIFICATE_NOT_YET_VALID',
      `${what} (${certificate.subject.replaceAll('\n', ', ')}) is valid only from ${certificate.validFrom}`,
    );
  if (now > new Date(certificate.validTo))
    throw new IssuedCertificateError(
      'CERTIFICATE_EXPIRED',
      `${what} (${certificate.subject.replaceAll('\n', ', ')}) expired on ${certificate.validTo}`,
    );
};

const nameOf = (certificate: X509Certificate): string => certificate.subject.replaceAll('\n', ', ');

/** What {@link checkIssuedCertificate} checks. */
export interface IssuedCertificateCandidate {
  /** DER of the certificate the CA issued for the agency's key. */
  certificate: Uint8Array;
  /** DER of the issuing CA certificates up to and including the root, in any order. */
  chain: readonly Uint8Array[];
  /** DER SubjectPublicKeyInfo of the agency's signing key. */
  publicKey: Uint8Array;
  now: Date;
}

/**
 * Checks a CA-issued certificate before it replaces an agency's self-signed one: it certifies
 * the agency's own key, it is valid now, its keyUsage has digitalSignature and nonRepudiation,
 * and every link of the chain (ordered here from the issuer up) is signed by the next, a CA
 * certificate valid now, ending at a self-signed root.
 *
 * @returns the certificate and its chain, issuer first and root last
 * @throws IssuedCertificateError with a code per check (CERTIFICATE_KEY_MISMATCH,
 *   CERTIFICATE_EXPIRED, CERTIFICATE_NOT_YET_VALID, CERTIFICATE_KEY_USAGE,
 *   CERTIFICATE_CHAIN_MISSING, CERTIFICATE_CHAIN_BROKEN, CERTIFICATE_UNREADABLE)
 */
export function checkIssuedCertificate(candidate: IssuedCertificateCandidate): IssuedCertificate {
  const leaf = x509(candidate.certificate, 'the certificate');
  const expectedKey = createPublicKey({ key: Buffer.from(candidate.publicKey), format: 'der', type: 'spki' });
  if (!spkiOf(leaf).equals(expectedKey.export({ format: 'der', type: 'spki' })))
    throw new IssuedCertificateError(
      'CERTIFICATE_KEY_MISMATCH',
      `the certificate (${nameOf(leaf)}) certifies another key than the agency's signing key`,
    );
  checkValidity(leaf, 'the certificate', candidate.now);
  if (!allowsNonRepudiableSignatures(candidate.certificate))
    throw new IssuedCertificateError(
      'CERTIFICATE_KEY_USAGE',
      `the certificate (${nameOf(leaf)}) must have keyUsage digitalSignature and nonRepudiation`,
    );

  const remaining = candidate.chain.map((der, index) => ({
    der,
    certificate: x509(der, `chain certificate ${index + 1}`),
  }));
  if (remaining.length === 0)
    throw new IssuedCertificateError(
      'CERTIFICATE_CHAIN_MISSING',
      `the certificate is issued by ${leaf.issuer.replaceAll('\n', ', ')}: give its chain up to the root CA`,
    );
  const ordered: Uint8Array[] = [];
  let current = leaf;
  while (!isSelfSigned(current)) {
    // By name only, so that an issuer of the right name but the wrong key is named as such.
    const at = remaining.findIndex(({ certificate }) => certificate.subject === current.issuer);
    const issuer = remaining[at];
    if (!issuer)
      throw new IssuedCertificateError(
        'CERTIFICATE_CHAIN_BROKEN',
        `no certificate of the chain issued ${nameOf(current)} (issuer ${current.issuer.replaceAll('\n', ', ')})`,
      );
    remaining.splice(at, 1);
    if (!current.verify(issuer.certificate.publicKey))
      throw new IssuedCertificateError(
        'CERTIFICATE_CHAIN_BROKEN',
        `the signature on ${nameOf(current)} does not verify with the key of ${nameOf(issuer.certificate)}`,
      );
    if (!issuer.certificate.ca)
      throw new IssuedCertificateError(
        'CERTIFICATE_CHAIN_BROKEN',
        `${nameOf(issuer.certificate)} is not a CA certificate (basicConstraints cA)`,
      );
    checkValidity(issuer.certificate, 'a chain certificate', candidate.now);
    ordered.push(issuer.der);
    current = issuer.certificate;
  }
  if (ordered.length === 0)
    throw new IssuedCertificateError(
      'CERTIFICATE_CHAIN_MISSING',
      'the certificate is self-signed: import a certificate issued by the province CA',
    );
  return { certificate: candidate.certificate, chain: ordered };
}
