import { createHash, createPublicKey, type KeyObject, randomBytes } from 'node:crypto';
import * as asn1js from 'asn1js';
import {
  AlgorithmIdentifier,
  BasicConstraints,
  Certificate,
  Extension,
  ExtKeyUsage,
  PublicKeyInfo,
  RelativeDistinguishedNames,
  Time,
  TimeType,
} from 'pkijs';
import { derChildren } from '#shared/adapters/signing/encode-der.ts';
import type { CertificateDetails } from '#shared/domain/document.ts';
import type { DigestSigner } from '#shared/ports.ts';

/** Who a signing certificate names (Vietnamese text welcome). */
export interface SignerIdentity {
  /** e.g. "Sở Tư pháp tỉnh Mẫu". */
  commonName: string;
  /** e.g. "Ủy ban nhân dân tỉnh Mẫu". */
  organisation: string;
  /** e.g. "Tỉnh Mẫu". */
  province: string;
  /** ISO 3166 alpha-2 code, e.g. "VN". */
  country: string;
}

export type SignatureAlgorithm = ReturnType<DigestSigner['algorithm']>;

const OID = {
  commonName: '2.5.4.3',
  country: '2.5.4.6',
  province: '2.5.4.8',
  organisation: '2.5.4.10',
  sha256WithRsa: '1.2.840.113549.1.1.11',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  subjectKeyIdentifier: '2.5.29.14',
  extendedKeyUsage: '2.5.29.37',
} as const;

/** The X.509/CMS AlgorithmIdentifier of a KMS signing algorithm. */
export function signatureAlgorithmIdentifier(algorithm: SignatureAlgorithm): AlgorithmIdentifier {
  return algorithm === 'RSASSA_PKCS1_V1_5_SHA_256'
    ? new AlgorithmIdentifier({ algorithmId: OID.sha256WithRsa, algorithmParams: new asn1js.Null() })
    : new AlgorithmIdentifier({ algorithmId: OID.ecdsaWithSha256 });
}

const singleAttributeRdn = (oid: string, value: asn1js.BaseBlock): asn1js.Set =>
  new asn1js.Set({
    value: [new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: oid }), value] })],
  });

/**
 * The X.509 Name of an identity: C, ST, O, CN, one attribute per RDN (pkijs would put them all
 * in one set), UTF8String in NFC for the Vietnamese parts, PrintableString for the country.
 */
export function buildSubjectName(identity: SignerIdentity): RelativeDistinguishedNames {
  const country = identity.country.trim().toUpperCase();
  if (!/^[A-Z]{2}$/.test(country))
    throw new RangeError(`country must be an ISO 3166 alpha-2 code: ${identity.country}`);
  const utf8 = (text: string) => new asn1js.Utf8String({ value: text.normalize('NFC').trim() });
  const name = new asn1js.Sequence({
    value: [
      singleAttributeRdn(OID.country, new asn1js.PrintableString({ value: country })),
      singleAttributeRdn(OID.province, utf8(identity.province)),
      singleAttributeRdn(OID.organisation, utf8(identity.organisation)),
      singleAttributeRdn(OID.commonName, utf8(identity.commonName)),
    ],
  });
  // Parsed back so that pkijs keeps these exact bytes (valueBeforeDecode) when re-encoding.
  return new RelativeDistinguishedNames({ schema: asn1js.fromBER(name.toBER()).result });
}

/** A positive, minimally encoded 128-bit serial number. */
const serialNumberFrom = (seed: Uint8Array): asn1js.Integer => {
  const bytes = Uint8Array.from(seed.subarray(0, 16));
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x40;
  return new asn1js.Integer({ valueHex: bytes });
};

/** keyUsage = digitalSignature | nonRepudiation (contentCommitment). */
const KEY_USAGE_DER = Uint8Array.of(0x03, 0x02, 0x06, 0xc0);

export interface SelfSignedCertificateRequest {
  /** DER SubjectPublicKeyInfo of the signing key. */
  publicKey: Uint8Array;
  identity: SignerIdentity;
  algorithm: SignatureAlgorithm;
  /** Signs SHA-256 digests with the private half of `publicKey`. */
  signDigest: (digest: Uint8Array) => Promise<Uint8Array>;
  /** @default now */
  notBefore?: Date;
  /** @default 10 */
  validityYears?: number;
  /** End of validity; overrides `validityYears` (a short-lived certificate, say). */
  notAfter?: Date;
  /** Purposes of a critical extendedKeyUsage extension (e.g. id-kp-timeStamping). @default none */
  extendedKeyUsage?: readonly string[];
  /** Seed of the serial number; a deterministic seed gives a deterministic TBS. @default random */
  serialSeed?: Uint8Array;
}

/** Builds and signs (through `signDigest`) a self-signed end-entity certificate; returns its DER. */
export async function buildSelfSignedCertificate(request: SelfSignedCertificateRequest): Promise<Uint8Array> {
  // RFC 5280 times have whole seconds (a GeneralizedTime with a fraction is malformed).
  const wholeSeconds = (date: Date) => new Date(Math.floor(date.getTime() / 1000) * 1000);
  const notBefore = wholeSeconds(request.notBefore ?? new Date());
  const notAfter = wholeSeconds(request.notAfter ?? notBefore);
  if (!request.notAfter) notAfter.setUTCFullYear(notAfter.getUTCFullYear() + (request.validityYears ?? 10));
  const spki = PublicKeyInfo.fromBER(request.publicKey);
  const name = buildSubjectName(request.identity);
  const timeType = (d: Date) => (d.getUTCFullYear() < 2050 ? TimeType.UTCTime : TimeType.GeneralizedTime);

  const certificate = new Certificate({
    version: 2,
    serialNumber: serialNumberFrom(request.serialSeed ?? randomBytes(16)),
    signature: signatureAlgorithmIdentifier(request.algorithm),
    issuer: name,
    subject: buildSubjectName(request.identity),
    notBefore: new Time({ type: timeType(notBefore), value: notBefore }),
    notAfter: new Time({ type: timeType(notAfter), value: notAfter }),
    subjectPublicKeyInfo: spki,
    extensions: [
      new Extension({
        extnID: OID.basicConstraints,
        critical: true,
        extnValue: new BasicConstraints({ cA: false }).toSchema().toBER(),
      }),
      new Extension({ extnID: OID.keyUsage, critical: true, extnValue: KEY_USAGE_DER.slice().buffer }),
      new Extension({
        extnID: OID.subjectKeyIdentifier,
        extnValue: new asn1js.OctetString({
          valueHex: createHash('sha1').update(spki.subjectPublicKey.valueBlock.valueHexView).digest(),
        }).toBER(),
      }),
      ...(request.extendedKeyUsage
        ? [
            new Extension({
              extnID: OID.extendedKeyUsage,
              critical: true,
              extnValue: new ExtKeyUsage({ keyPurposes: [...request.extendedKeyUsage] }).toSchema().toBER(),
            }),
          ]
        : []),
    ],
  });
  certificate.signatureAlgorithm = signatureAlgorithmIdentifier(request.algorithm);
  certificate.tbsView = new Uint8Array(certificate.encodeTBS().toBER());
  const digest = createHash('sha256').update(certificate.tbsView).digest();
  certificate.signatureValue = new asn1js.BitString({ valueHex: await request.signDigest(digest) });
  return new Uint8Array(certificate.toSchema().toBER());
}

/** Decoded common name (CN) of a certificate's subject, or "" when it has none. */
export function readCommonName(certificate: Certificate): string {
  const cn = certificate.subject.typesAndValues.find((t) => t.type === OID.commonName);
  const block = cn?.value.valueBlock as { value?: unknown } | undefined;
  return typeof block?.value === 'string' ? block.value : '';
}

const NAME_ATTRIBUTES: Record<string, string> = {
  [OID.commonName]: 'CN',
  '2.5.4.11': 'OU',
  [OID.organisation]: 'O',
  '2.5.4.7': 'L',
  [OID.province]: 'ST',
  [OID.country]: 'C',
};

function distinguishedName(name: Certificate['subject']): string {
  return name.typesAndValues
    .map((attribute) => {
      const block = attribute.value.valueBlock as { value?: unknown };
      return `${NAME_ATTRIBUTES[attribute.type] ?? attribute.type}=${String(block.value ?? '')}`;
    })
    .join(', ');
}

/** What the signing code reads from a DER certificate. */
export interface ReadCertificate {
  /** SHA-256 of the DER, lowercase hex. */
  fingerprint: string;
  /** The parsed certificate, shared by every reader of the same bytes: read it, never change it. */
  certificate: Certificate;
  /** Decoded subject common name, "" when it has none. */
  commonName: string;
  details: Readonly<CertificateDetails>;
  /** Its subject public key; undefined when node cannot use it (an unknown algorithm or curve). */
  publicKey: KeyObject | undefined;
  /** Its issuer Name and serialNumber INTEGER, as encoded in it (what a CMS names its signer by). */
  issuerDer: Uint8Array;
  serialNumberDer: Uint8Array;
}

const publicKeyOf = (certificate: Certificate): KeyObject | undefined => {
  try {
    return createPublicKey({
      key: Buffer.from(certificate.subjectPublicKeyInfo.toSchema().toBER()),
      format: 'der',
      type: 'spki',
    });
  } catch {
    return undefined;
  }
};

/** Distinct certificates kept parsed: a province has tens of agencies, plus CAs and its TSA. */
const READ_CERTIFICATES_KEPT = 256;
const readCertificates = new Map<string, ReadCertificate>();

/**
 * Parses a DER certificate once per distinct bytes (keyed by their SHA-256; the least recently
 * read is dropped beyond a few hundred): signing reads the agency's and the authority's
 * certificate for every document, and ASN.1 parsing is most of a signature's CPU.
 * @throws when the bytes are no certificate.
 */
export function readCertificate(der: Uint8Array): ReadCertificate {
  const fingerprint = certificateFingerprint(der);
  const known = readCertificates.get(fingerprint);
  if (known) {
    readCertificates.delete(fingerprint);
    readCertificates.set(fingerprint, known);
    return known;
  }
  // A copy: the parsed certificate keeps views of its input, which the caller may reuse.
  const copy = Uint8Array.from(der);
  const certificate = Certificate.fromBER(copy);
  const [tbs] = derChildren(copy);
  const tbsFields = derChildren(tbs ?? new Uint8Array());
  // TBSCertificate: [0] version (absent for v1), serialNumber, signature, issuer, …
  const serialAt = tbsFields[0]?.[0] === 0xa0 ? 1 : 0;
  const serialNumberDer = tbsFields[serialAt];
  const issuerDer = tbsFields[serialAt + 2];
  if (!serialNumberDer || !issuerDer) throw new RangeError('a certificate without serial number or issuer');
  const read: ReadCertificate = {
    fingerprint,
    certificate,
    commonName: readCommonName(certificate),
    details: Object.freeze({
      subject: distinguishedName(certificate.subject),
      issuer: distinguishedName(certificate.issuer),
      notBefore: certificate.notBefore.value.toISOString(),
      notAfter: certificate.notAfter.value.toISOString(),
    }),
    publicKey: publicKeyOf(certificate),
    issuerDer,
    serialNumberDer,
  };
  readCertificates.set(fingerprint, read);
  if (readCertificates.size > READ_CERTIFICATES_KEPT) {
    const oldest = readCertificates.keys().next().value;
    if (oldest !== undefined) readCertificates.delete(oldest);
  }
  return read;
}

/** Subject, issuer and validity of a DER certificate, as an archive record shows them. */
export function describeCertificate(der: Uint8Array): CertificateDetails {
  return { ...readCertificate(der).details };
}

/** SHA-256 of a DER certificate, lowercase hex. */
export function certificateFingerprint(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('hex');
}
