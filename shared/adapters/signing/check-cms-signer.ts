import { createHash, verify as verifySignature } from 'node:crypto';
import * as asn1js from 'asn1js';
import { Certificate, IssuerAndSerialNumber, type SignedData, type SignerInfo } from 'pkijs';
import { readCertificate } from '#shared/adapters/signing/build-self-signed-certificate.ts';
import { CMS_OID } from '#shared/adapters/signing/cms-oids.ts';

/** Node's digest names by the OID of a CMS digest algorithm. */
export const HASH_BY_OID: Readonly<Record<string, string>> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

/** What one SignerInfo of a SignedData says about the content it signs. */
export interface CmsSignerCheck {
  /** The signer's certificate, found by the SignerInfo's issuer and serial among those the CMS carries. */
  certificate: Certificate;
  certificateDer: Uint8Array;
  /** The digest of the content equals the signed messageDigest. */
  integrity: boolean;
  /** The signature verifies with the certificate's key, and the signing-certificate attribute names that certificate. */
  signatureValid: boolean;
}

/** The first value of a signed attribute. */
export const signedAttributeValue = (signerInfo: SignerInfo, oid: string): asn1js.AsnType | undefined =>
  signerInfo.signedAttrs?.attributes.find((a) => a.type === oid)?.values[0];

/** Index in signedData.certificates of the signer's certificate, -1 when it carries none. */
const findSignerCertificate = (signedData: SignedData, signerInfo: SignerInfo): number => {
  const certificates = signedData.certificates ?? [];
  const sid = signerInfo.sid;
  if (sid instanceof IssuerAndSerialNumber) {
    const found = certificates.findIndex(
      (c) =>
        c instanceof Certificate && c.issuer.isEqual(sid.issuer) && c.serialNumber.isEqual(sid.serialNumber),
    );
    if (found >= 0) return found;
  }
  return certificates.findIndex((c) => c instanceof Certificate);
};

/**
 * The ESSCertID(v2) hash of a signingCertificate(V2) attribute, when present, must be that of the
 * certificate: SHA-1 for version 1, SHA-256 by default for version 2.
 */
const matchesSigningCertificate = (signerInfo: SignerInfo, certificateDer: Uint8Array): boolean => {
  const v2 = signedAttributeValue(signerInfo, CMS_OID.signingCertificateV2);
  const v1 = v2 ? undefined : signedAttributeValue(signerInfo, CMS_OID.signingCertificate);
  const value = v2 ?? v1;
  if (!value) return true;
  const essCertId = (value as asn1js.Sequence).valueBlock.value[0] as asn1js.Sequence | undefined;
  const first = essCertId?.valueBlock.value[0] as asn1js.Sequence | undefined;
  const items = first?.valueBlock.value ?? [];
  const algorithm = v2 && items[0] instanceof asn1js.Sequence ? items[0] : undefined;
  const hashBlock = items[algorithm ? 1 : 0];
  if (!(hashBlock instanceof asn1js.OctetString)) return false;
  const algorithmOid = (
    algorithm?.valueBlock.value[0] as asn1js.ObjectIdentifier | undefined
  )?.valueBlock.toString();
  const hash = v1 ? 'sha1' : HASH_BY_OID[algorithmOid ?? CMS_OID.sha256];
  if (!hash) return false;
  return Buffer.from(hashBlock.valueBlock.valueHexView).equals(
    createHash(hash).update(certificateDer).digest(),
  );
};

/**
 * Checks a SignerInfo over `content` (the parts of the signed content, in order): the content
 * digest against the signed messageDigest, the signature with the embedded certificate's key.
 * `encodedCertificates`, when the caller has them, are the DER bytes of signedData.certificates
 * as the CMS carries them (same order), which spares encoding the signer's certificate again.
 * Undefined when the CMS carries no certificate for it or uses a digest this project does not know.
 */
export function checkCmsSigner(
  signedData: SignedData,
  signerInfo: SignerInfo,
  content: readonly Uint8Array[],
  encodedCertificates?: readonly (Uint8Array | undefined)[],
): CmsSignerCheck | undefined {
  const index = findSignerCertificate(signedData, signerInfo);
  const certificate = signedData.certificates?.[index];
  const hash = HASH_BY_OID[signerInfo.digestAlgorithm.algorithmId];
  if (!(certificate instanceof Certificate) || !hash) return undefined;
  const certificateDer = encodedCertificates?.[index] ?? new Uint8Array(certificate.toSchema().toBER());
  const contentDigest = createHash(hash);
  for (const part of content) contentDigest.update(part);
  const digest = contentDigest.digest();
  const signature = signerInfo.signature.valueBlock.valueHexView;
  const verifies = (data: readonly Uint8Array[]): boolean => {
    try {
      const { publicKey } = readCertificate(certificateDer);
      return publicKey !== undefined && verifySignature(hash, Buffer.concat(data), publicKey, signature);
    } catch {
      return false;
    }
  };
  if (!signerInfo.signedAttrs) {
    const valid = verifies(content);
    return { certificate, certificateDer, integrity: valid, signatureValid: valid };
  }
  const messageDigest = signedAttributeValue(signerInfo, CMS_OID.messageDigest);
  return {
    certificate,
    certificateDer,
    integrity:
      messageDigest instanceof asn1js.OctetString &&
      Buffer.from(messageDigest.valueBlock.valueHexView).equals(digest),
    signatureValid:
      verifies([new Uint8Array(signerInfo.signedAttrs.encodedValue)]) &&
      matchesSigningCertificate(signerInfo, certificateDer),
  };
}
