import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import {
  AlgorithmIdentifier,
  Attribute,
  type Certificate,
  ContentInfo,
  EncapsulatedContentInfo,
  IssuerAndSerialNumber,
  SignedAndUnsignedAttributes,
  SignedData,
  SignerInfo,
} from 'pkijs';
import {
  readCertificate,
  signatureAlgorithmIdentifier,
} from '#shared/adapters/signing/build-self-signed-certificate.ts';
import { CMS_OID } from '#shared/adapters/signing/cms-oids.ts';
import type { IssuedTimestamp, TimestampAuthority } from '#shared/ports/timestamp-authority.ts';
import type { DigestSigner } from '#shared/ports.ts';

const sha256 = (...parts: Uint8Array[]): Buffer => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
};

const compareBytes = (a: Uint8Array, b: Uint8Array): number => {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const diff = (a[i] ?? 0) - (b[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return a.length - b.length;
};

/** ESS SigningCertificateV2 with one ESSCertIDv2 (SHA-256 default, so no hashAlgorithm) and issuerSerial. */
export const signingCertificateV2 = (certificateDer: Uint8Array, certificate: Certificate): asn1js.Sequence =>
  new asn1js.Sequence({
    value: [
      new asn1js.Sequence({
        value: [
          new asn1js.Sequence({
            value: [
              new asn1js.OctetString({ valueHex: sha256(certificateDer) }),
              new asn1js.Sequence({
                value: [
                  new asn1js.Sequence({
                    value: [
                      new asn1js.Constructed({
                        idBlock: { tagClass: 3, tagNumber: 4 },
                        value: [certificate.issuer.toSchema()],
                      }),
                    ],
                  }),
                  certificate.serialNumber,
                ],
              }),
            ],
          }),
        ],
      }),
    ],
  });

/**
 * The signed attributes of a SignerInfo in DER order, and the bytes its signature covers (the
 * DER SET OF, not the [0] IMPLICIT field).
 */
export function encodeSignedAttributes(attributes: Attribute[]): {
  signedAttrs: SignedAndUnsignedAttributes;
  signedAttrsDer: Uint8Array;
} {
  // DER orders a SET OF by encoding; some verifiers re-encode the attributes before hashing.
  const encoded = new Map(attributes.map((a) => [a, new Uint8Array(a.toSchema().toBER())]));
  const sorted = [...attributes].sort((a, b) =>
    compareBytes(encoded.get(a) ?? new Uint8Array(), encoded.get(b) ?? new Uint8Array()),
  );
  const signedAttrs = new SignedAndUnsignedAttributes({ type: 0, attributes: sorted });
  const signedAttrsDer = new Uint8Array(signedAttrs.toSchema().toBER());
  signedAttrsDer[0] = 0x31;
  return { signedAttrs, signedAttrsDer };
}

/**
 * CMS SignedData (detached) over `content`, signed attributes contentType, messageDigest and
 * signingCertificateV2 (no signingTime: PAdES baseline puts the time in /M), its signature made
 * by `signer` over SHA-256 of the DER signed attributes; carries the signer's certificate and,
 * for a CA-issued one, its chain.
 */
export async function buildCadesDetachedSignature(
  content: Uint8Array,
  signer: DigestSigner,
): Promise<Uint8Array> {
  return buildCadesSignatureOverDigest(sha256(content), signer);
}

/** The CMS of buildCadesDetachedSignature, from the SHA-256 of the content. */
export async function buildCadesSignatureOverDigest(
  contentDigest: Uint8Array,
  signer: DigestSigner,
): Promise<Uint8Array> {
  return (await buildTimestampedCadesSignature(contentDigest, signer)).cms;
}

/**
 * The CMS of {@link buildCadesSignatureOverDigest}; with a time-stamping authority, its SignerInfo
 * also carries a signature timestamp (unsigned attribute id-aa-signatureTimeStampToken over the
 * SHA-256 of the signature value), which makes it CAdES-T / PAdES B-T.
 */
export async function buildTimestampedCadesSignature(
  contentDigest: Uint8Array,
  signer: DigestSigner,
  timestamps?: TimestampAuthority,
): Promise<{ cms: Uint8Array; timestamp?: IssuedTimestamp }> {
  const certificateDer = await signer.certificate();
  const { certificate } = readCertificate(certificateDer);
  const chain = ((await signer.chain?.()) ?? []).map((der) => readCertificate(der).certificate);
  const attributes = [
    new Attribute({
      type: CMS_OID.contentType,
      values: [new asn1js.ObjectIdentifier({ value: CMS_OID.data })],
    }),
    new Attribute({
      type: CMS_OID.messageDigest,
      values: [new asn1js.OctetString({ valueHex: contentDigest })],
    }),
    new Attribute({
      type: CMS_OID.signingCertificateV2,
      values: [signingCertificateV2(certificateDer, certificate)],
    }),
  ];
  const { signedAttrs, signedAttrsDer } = encodeSignedAttributes(attributes);
  const signature = await signer.signDigest(sha256(signedAttrsDer));
  const timestamp = await timestamps?.timestamp(sha256(signature));

  const sha256Identifier = () => new AlgorithmIdentifier({ algorithmId: CMS_OID.sha256 });
  const signedData = new SignedData({
    version: 1,
    digestAlgorithms: [sha256Identifier()],
    encapContentInfo: new EncapsulatedContentInfo({ eContentType: CMS_OID.data }),
    // The issuing CAs travel with the signature, so a verifier can build the path to the root.
    certificates: [certificate, ...chain],
    signerInfos: [
      new SignerInfo({
        version: 1,
        sid: new IssuerAndSerialNumber({
          issuer: certificate.issuer,
          serialNumber: certificate.serialNumber,
        }),
        digestAlgorithm: sha256Identifier(),
        signedAttrs,
        signatureAlgorithm: signatureAlgorithmIdentifier(signer.algorithm()),
        signature: new asn1js.OctetString({ valueHex: signature }),
        ...(timestamp
          ? {
              unsignedAttrs: new SignedAndUnsignedAttributes({
                type: 1,
                attributes: [
                  new Attribute({
                    type: CMS_OID.signatureTimeStampToken,
                    values: [asn1js.fromBER(timestamp.token).result],
                  }),
                ],
              }),
            }
          : {}),
      }),
    ],
  });
  const contentInfo = new ContentInfo({
    contentType: CMS_OID.signedData,
    content: signedData.toSchema(true),
  });
  return { cms: new Uint8Array(contentInfo.toSchema().toBER()), ...(timestamp ? { timestamp } : {}) };
}
