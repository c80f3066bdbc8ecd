import * as asn1js from 'asn1js';
import { type Certificate, ContentInfo, ExtKeyUsage, SignedData, TSTInfo } from 'pkijs';
import { readCertificate } from '#shared/adapters/signing/build-self-signed-certificate.ts';
import { checkCmsSigner, HASH_BY_OID } from '#shared/adapters/signing/check-cms-signer.ts';
import { CMS_OID } from '#shared/adapters/signing/cms-oids.ts';
import type { CertificateDetails } from '#shared/domain/document.ts';

/** The bytes are not an RFC 3161 timestamp token (a SignedData over a TSTInfo). */
export class InvalidTimestampTokenError extends Error {
  override readonly name = 'InvalidTimestampTokenError';
}

/** What an RFC 3161 timestamp token says, and whether its signature holds. */
export interface TimestampToken {
  /** When the authority saw the imprint. */
  genTime: Date;
  /** Serial number of the token, lowercase hex. */
  serialNumber: string;
  /** The authority's policy OID. */
  policy: string;
  /** Node's name of the imprint's digest (`sha256`), or its OID when this project does not know it. */
  imprintAlgorithm: string;
  imprint: Buffer;
  /** The request's nonce echoed back, lowercase hex. */
  nonce?: string;
  /** Subject common name of the authority's certificate (or its subject, when it has no CN). */
  authority: string;
  /** The authority's certificate, when the token carries it (requested with certReq). */
  certificate?: CertificateDetails & { fingerprint: string };
  /** The token's signature verifies with that certificate's key and binds this TSTInfo. */
  signatureValid: boolean;
  /**
   * The authority's certificate is one for time-stamping: extendedKeyUsage is present, critical
   * and holds only id-kp-timeStamping (RFC 3161 §2.3).
   */
  timeStampingCertificate: boolean;
}

const hex = (integer: asn1js.Integer): string =>
  Buffer.from(integer.valueBlock.valueHexView)
    .toString('hex')
    .replace(/^(00)+(?=.)/, '');

const isTimeStampingCertificate = (certificate: Certificate): boolean => {
  const extension = certificate.extensions?.find((e) => e.extnID === CMS_OID.extendedKeyUsage);
  if (!extension?.critical) return false;
  try {
    const usage = ExtKeyUsage.fromBER(extension.extnValue.valueBlock.valueHexView);
    return usage.keyPurposes.length === 1 && usage.keyPurposes[0] === CMS_OID.timeStamping;
  } catch {
    return false;
  }
};

/**
 * The DER bytes of the certificates a parsed SignedData carries, as they came (same order as
 * SignedData.certificates); undefined for a SignedData built in memory rather than parsed.
 */
const encodedCertificatesOf = (signedData: asn1js.AsnType): (Uint8Array | undefined)[] | undefined => {
  if (!(signedData instanceof asn1js.Sequence)) return undefined;
  const set = signedData.valueBlock.value.find(
    (block) => block.idBlock.tagClass === 3 && block.idBlock.tagNumber === 0,
  );
  if (!(set instanceof asn1js.Constructed)) return undefined;
  return set.valueBlock.value.map((block) =>
    block.valueBeforeDecodeView.byteLength ? block.valueBeforeDecodeView : undefined,
  );
};

/**
 * Reads an RFC 3161 timestamp token (DER ContentInfo, or its parsed ASN.1) and checks its
 * signature against the certificate it carries. Trust in that certificate is not judged here.
 * @throws InvalidTimestampTokenError when it is no SignedData over a TSTInfo.
 */
export function readTimestampToken(token: Uint8Array | asn1js.AsnType): TimestampToken {
  let signedData: SignedData;
  let encodedCertificates: (Uint8Array | undefined)[] | undefined;
  let tstInfo: TSTInfo;
  let content: Uint8Array;
  try {
    const contentInfo =
      token instanceof Uint8Array ? ContentInfo.fromBER(token) : new ContentInfo({ schema: token });
    if (contentInfo.contentType !== CMS_OID.signedData) throw new Error('not a SignedData');
    signedData = new SignedData({ schema: contentInfo.content });
    encodedCertificates = encodedCertificatesOf(contentInfo.content);
    const { eContentType, eContent } = signedData.encapContentInfo;
    if (eContentType !== CMS_OID.tstInfo || !eContent) throw new Error('its content is not a TSTInfo');
    content = new Uint8Array(eContent.getValue());
    tstInfo = TSTInfo.fromBER(content);
  } catch (error) {
    throw new InvalidTimestampTokenError(`not a timestamp token: ${(error as Error).message}`);
  }
  const signerInfo = signedData.signerInfos[0];
  const check = signerInfo && checkCmsSigner(signedData, signerInfo, [content], encodedCertificates);
  const certificate = check?.certificate;
  const read = check && readCertificate(check.certificateDer);
  const algorithmOid = tstInfo.messageImprint.hashAlgorithm.algorithmId;
  return {
    genTime: tstInfo.genTime,
    serialNumber: hex(tstInfo.serialNumber),
    policy: tstInfo.policy,
    imprintAlgorithm: HASH_BY_OID[algorithmOid] ?? algorithmOid,
    imprint: Buffer.from(tstInfo.messageImprint.hashedMessage.valueBlock.valueHexView),
    ...(tstInfo.nonce ? { nonce: hex(tstInfo.nonce) } : {}),
    authority: read ? read.commonName || read.details.subject : '',
    ...(read ? { certificate: { ...read.details, fingerprint: read.fingerprint } } : {}),
    signatureValid: check?.integrity === true && check.signatureValid,
    timeStampingCertificate: certificate !== undefined && isTimeStampingCertificate(certificate),
  };
}
