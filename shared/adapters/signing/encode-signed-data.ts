import { createHash } from 'node:crypto';
import { AlgorithmIdentifier } from 'pkijs';
import {
  type ReadCertificate,
  type SignatureAlgorithm,
  signatureAlgorithmIdentifier,
} from '#shared/adapters/signing/build-self-signed-certificate.ts';
import { CMS_OID } from '#shared/adapters/signing/cms-oids.ts';
import { derElement, derObjectIdentifier, derSmallInteger } from '#shared/adapters/signing/encode-der.ts';

const SEQUENCE = 0x30;
const SET = 0x31;
const OCTET_STRING = 0x04;

const encodedOids = new Map<string, Buffer>();
/** A DER OBJECT IDENTIFIER, encoded once per OID (a signature uses a handful). */
const oid = (value: string): Buffer => {
  let encoded = encodedOids.get(value);
  if (!encoded) {
    encoded = derObjectIdentifier(value);
    encodedOids.set(value, encoded);
  }
  return encoded;
};

const SHA256_ALGORITHM = Buffer.from(
  new AlgorithmIdentifier({ algorithmId: CMS_OID.sha256 }).toSchema().toBER(),
);
const SIGNATURE_ALGORITHMS: Record<SignatureAlgorithm, Buffer> = {
  RSASSA_PKCS1_V1_5_SHA_256: Buffer.from(
    signatureAlgorithmIdentifier('RSASSA_PKCS1_V1_5_SHA_256').toSchema().toBER(),
  ),
  ECDSA_SHA_256: Buffer.from(signatureAlgorithmIdentifier('ECDSA_SHA_256').toSchema().toBER()),
};

/** A DER Attribute { attrType, attrValues SET OF } of already encoded values. */
export const derAttribute = (type: string, ...values: readonly Uint8Array[]): Buffer =>
  derElement(SEQUENCE, oid(type), derElement(SET, ...values));

/** The contentType signed attribute. */
export const contentTypeAttribute = (contentType: string): Buffer =>
  derAttribute(CMS_OID.contentType, oid(contentType));

/** The messageDigest signed attribute. */
export const messageDigestAttribute = (digest: Uint8Array): Buffer =>
  derAttribute(CMS_OID.messageDigest, derElement(OCTET_STRING, digest));

/**
 * The ESS signingCertificateV2 signed attribute: one ESSCertIDv2 (SHA-256 default, so no
 * hashAlgorithm) with issuerSerial, the issuer as a directoryName.
 */
export function signingCertificateV2Attribute(certificateDer: Uint8Array, read: ReadCertificate): Buffer {
  const issuerSerial = derElement(
    SEQUENCE,
    derElement(SEQUENCE, derElement(0xa4, read.issuerDer)),
    read.serialNumberDer,
  );
  const hash = createHash('sha256').update(certificateDer).digest();
  const essCertId = derElement(SEQUENCE, derElement(OCTET_STRING, hash), issuerSerial);
  return derAttribute(CMS_OID.signingCertificateV2, derElement(SEQUENCE, derElement(SEQUENCE, essCertId)));
}

const compareBytes = (a: Uint8Array, b: Uint8Array): number => {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const diff = (a[i] ?? 0) - (b[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return a.length - b.length;
};

/**
 * Signed attributes in DER order (a SET OF is ordered by encoding; some verifiers re-encode
 * the attributes before hashing), and the bytes the signature covers: the DER SET OF, not the
 * [0] IMPLICIT field.
 */
export function orderSignedAttributes(attributes: readonly Uint8Array[]): {
  ordered: Uint8Array[];
  signedBytes: Buffer;
} {
  const ordered = [...attributes].sort(compareBytes);
  return { ordered, signedBytes: derElement(SET, ...ordered) };
}

/** What {@link encodeSignedData} puts in a SignedData with one SignerInfo. */
export interface SignedDataParts {
  /** 1 for id-data content, 3 for other content types (RFC 5652 §5.1). */
  version: 1 | 3;
  eContentType: string;
  /** The encapsulated content; absent for a detached signature. */
  eContent?: Uint8Array;
  /** DER certificates, the signer's first. */
  certificates: readonly Uint8Array[];
  /** The signer's certificate, which the SignerInfo names by issuer and serial number. */
  signer: ReadCertificate;
  /** DER Attributes in the order {@link orderSignedAttributes} gave. */
  signedAttributes: readonly Uint8Array[];
  signatureAlgorithm: SignatureAlgorithm;
  signature: Uint8Array;
  /** DER Attributes. */
  unsignedAttributes?: readonly Uint8Array[];
}

/**
 * A DER ContentInfo holding a SignedData with one SignerInfo (version 1, issuerAndSerialNumber,
 * SHA-256), assembled from parts already encoded: building it through pkijs objects would parse
 * every certificate and token again only to encode it back.
 */
export function encodeSignedData(parts: SignedDataParts): Buffer {
  const signerInfo = derElement(
    SEQUENCE,
    derSmallInteger(1),
    derElement(SEQUENCE, parts.signer.issuerDer, parts.signer.serialNumberDer),
    SHA256_ALGORITHM,
    derElement(0xa0, ...parts.signedAttributes),
    SIGNATURE_ALGORITHMS[parts.signatureAlgorithm],
    derElement(OCTET_STRING, parts.signature),
    ...(parts.unsignedAttributes ? [derElement(0xa1, ...parts.unsignedAttributes)] : []),
  );
  const signedData = derElement(
    SEQUENCE,
    derSmallInteger(parts.version),
    derElement(SET, SHA256_ALGORITHM),
    derElement(
      SEQUENCE,
      oid(parts.eContentType),
      ...(parts.eContent ? [derElement(0xa0, derElement(OCTET_STRING, parts.eContent))] : []),
    ),
    ...(parts.certificates.length ? [derElement(0xa0, ...parts.certificates)] : []),
    derElement(SET, signerInfo),
  );
  return derElement(SEQUENCE, oid(CMS_OID.signedData), derElement(0xa0, signedData));
}
