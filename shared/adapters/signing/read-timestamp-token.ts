import * as asn1js from 'asn1js';
import {
  type Certificate,
  EncapsulatedContentInfo,
  ExtKeyUsage,
  MessageImprint,
  SignedData,
  SignerInfo,
} from 'pkijs';
import { readCertificate } from '#shared/adapters/signing/build-self-signed-certificate.ts';
import { checkCmsSigner, HASH_BY_OID } from '#shared/adapters/signing/check-cms-signer.ts';
import { CMS_OID } from '#shared/adapters/signing/cms-oids.ts';
import { berChildren, derObjectIdentifier } from '#shared/adapters/signing/encode-der.ts';
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

/** A block's encoding: the bytes it was parsed from, else its DER. */
const encodedBlock = (block: asn1js.AsnType): Uint8Array =>
  block.valueBeforeDecodeView.byteLength ? block.valueBeforeDecodeView : new Uint8Array(block.toBER());

const SIGNED_DATA_OID = derObjectIdentifier(CMS_OID.signedData);

/** The ASN.1 of one encoded element (which must be all of `encoded`). */
const parse = (encoded: Uint8Array): asn1js.AsnType => {
  const parsed = asn1js.fromBER(encoded);
  if (parsed.offset !== encoded.byteLength) throw new Error(parsed.result.error || 'trailing bytes');
  return parsed.result;
};

/**
 * The SignedData of a ContentInfo, read field by field (RFC 5652 §5.1: version,
 * digestAlgorithms, encapContentInfo, [0] certificates, [1] crls, signerInfos) from its
 * encoding, with the bytes of each X.509 certificate it carries (same order). pkijs's
 * SignedData would build the schema of every certificate choice, attribute certificates
 * included, and parse every certificate, on each token; here only the encapsulated content and
 * the SignerInfos are parsed, and a certificate once per distinct bytes (readCertificate).
 */
const readSignedData = (
  contentInfo: Uint8Array,
): { signedData: SignedData; encodedCertificates: Uint8Array[] } => {
  if (contentInfo[0] !== 0x30) throw new Error('not a ContentInfo');
  const [contentType, explicitContent, ...extra] = berChildren(contentInfo);
  if (
    !contentType ||
    !Buffer.from(contentType).equals(SIGNED_DATA_OID) ||
    explicitContent?.[0] !== 0xa0 ||
    extra.length
  )
    throw new Error('not a SignedData');
  const [signedDataDer] = berChildren(explicitContent);
  if (signedDataDer?.[0] !== 0x30) throw new Error('not a SignedData');
  const fields = berChildren(signedDataDer);
  const [version, digestAlgorithms, encapsulated] = fields.splice(0, 3);
  const certificateField = fields[0]?.[0] === 0xa0 ? fields.shift() : undefined;
  if (fields[0]?.[0] === 0xa1) fields.shift();
  const signerInfos = fields.shift();
  if (
    version?.[0] !== 0x02 ||
    digestAlgorithms?.[0] !== 0x31 ||
    encapsulated?.[0] !== 0x30 ||
    signerInfos?.[0] !== 0x31 ||
    fields.length > 0
  )
    throw new Error('not a SignedData');
  // X.509 certificates only (a SEQUENCE); the other CertificateChoices are tagged.
  const encodedCertificates = (certificateField ? berChildren(certificateField) : []).filter(
    (choice) => choice[0] === 0x30,
  );
  const signedData = new SignedData({
    version: (parse(version) as asn1js.Integer).valueBlock.valueDec,
    encapContentInfo: new EncapsulatedContentInfo({ schema: parse(encapsulated) }),
    certificates: encodedCertificates.map((der) => readCertificate(der).certificate),
    signerInfos: berChildren(signerInfos).map((signerInfo) => new SignerInfo({ schema: parse(signerInfo) })),
  });
  return { signedData, encodedCertificates };
};

/** The TSTInfo fields a token is checked on. */
interface TstInfoFields {
  policy: string;
  messageImprint: MessageImprint;
  serialNumber: asn1js.Integer;
  genTime: Date;
  nonce?: asn1js.Integer;
}

/** Tags of the optional TSTInfo fields, in their order: accuracy, ordering, nonce, tsa, extensions. */
const TST_INFO_OPTIONAL_TAGS = [0x30, 0x01, 0x02, 0xa0, 0xa1];

/**
 * A TSTInfo (RFC 3161 §2.4.2) read field by field: pkijs's TSTInfo would build the schema of
 * every GeneralName choice for its tsa field on each token.
 */
const readTstInfo = (content: Uint8Array): TstInfoFields => {
  if (content[0] !== 0x30) throw new Error('its content is not a TSTInfo');
  const fields = berChildren(content);
  const [version, policy, messageImprint, serialNumber, genTime] = fields.splice(0, 5);
  if (
    version?.[0] !== 0x02 ||
    policy?.[0] !== 0x06 ||
    messageImprint?.[0] !== 0x30 ||
    serialNumber?.[0] !== 0x02 ||
    genTime?.[0] !== 0x18
  )
    throw new Error('its content is not a TSTInfo');
  let nonce: asn1js.Integer | undefined;
  let next = 0;
  for (const field of fields) {
    const at = TST_INFO_OPTIONAL_TAGS.indexOf(field[0] ?? -1, next);
    if (at === -1) throw new Error('its content is not a TSTInfo');
    if (at === 2) nonce = parse(field) as asn1js.Integer;
    next = at + 1;
  }
  const time = parse(genTime);
  if (!(time instanceof asn1js.GeneralizedTime)) throw new Error('its genTime is no GeneralizedTime');
  return {
    policy: (parse(policy) as asn1js.ObjectIdentifier).valueBlock.toString(),
    messageImprint: new MessageImprint({ schema: parse(messageImprint) }),
    serialNumber: parse(serialNumber) as asn1js.Integer,
    genTime: time.toDate(),
    ...(nonce ? { nonce } : {}),
  };
};

/**
 * Reads an RFC 3161 timestamp token (DER ContentInfo, or its parsed ASN.1) and checks its
 * signature against the certificate it carries. Trust in that certificate is not judged here.
 * @throws InvalidTimestampTokenError when it is no SignedData over a TSTInfo.
 */
export function readTimestampToken(token: Uint8Array | asn1js.AsnType): TimestampToken {
  let signedData: SignedData;
  let encodedCertificates: Uint8Array[];
  let tstInfo: TstInfoFields;
  let content: Uint8Array;
  try {
    ({ signedData, encodedCertificates } = readSignedData(
      token instanceof Uint8Array ? token : encodedBlock(token),
    ));
    const { eContentType, eContent } = signedData.encapContentInfo;
    if (eContentType !== CMS_OID.tstInfo || !eContent) throw new Error('its content is not a TSTInfo');
    content = new Uint8Array(eContent.getValue());
    tstInfo = readTstInfo(content);
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
