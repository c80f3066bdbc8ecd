import { createHash, randomBytes } from 'node:crypto';
import { type InputType, plainAddPlaceholder } from '@signpdf/placeholder-plain';
import { Signer, SignPdf, SignPdfError } from '@signpdf/signpdf';
import { SUBFILTER_ETSI_CADES_DETACHED } from '@signpdf/utils';
import * as asn1js from 'asn1js';
import { PDFDict, PDFDocument, PDFName } from 'pdf-lib';
import {
  AlgorithmIdentifier,
  Attribute,
  Certificate,
  ContentInfo,
  EncapsulatedContentInfo,
  IssuerAndSerialNumber,
  SignedAndUnsignedAttributes,
  SignedData,
  SignerInfo,
} from 'pkijs';
import {
  certificateFingerprint,
  readCommonName,
  signatureAlgorithmIdentifier,
} from '#shared/adapters/signing/build-self-signed-certificate.ts';
import { CMS_OID } from '#shared/adapters/signing/cms-oids.ts';
import type { SignatureInfo } from '#shared/domain/document.ts';
import type { DigestSigner, PdfSigner } from '#shared/ports.ts';

export interface PadesPdfSignerOptions {
  /**
   * Bytes reserved for the CMS in /Contents; RSA-3072 with a self-signed certificate needs
   * about 2.5 KB, a CA chain more.
   * @default 8192
   */
  signatureLength?: number;
  /** Written as /Prop_Build /App /Name. @default 'motcua' */
  appName?: string;
}

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
const signingCertificateV2 = (certificateDer: Uint8Array, certificate: Certificate): asn1js.Sequence =>
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
 * CMS SignedData (detached) over `content`, signed attributes contentType, messageDigest and
 * signingCertificateV2 (no signingTime: PAdES baseline puts the time in /M), its signature made
 * by `signer` over SHA-256 of the DER signed attributes.
 */
export async function buildCadesDetachedSignature(
  content: Uint8Array,
  signer: DigestSigner,
): Promise<Uint8Array> {
  const certificateDer = await signer.certificate();
  const certificate = Certificate.fromBER(certificateDer);
  const attributes = [
    new Attribute({
      type: CMS_OID.contentType,
      values: [new asn1js.ObjectIdentifier({ value: CMS_OID.data })],
    }),
    new Attribute({
      type: CMS_OID.messageDigest,
      values: [new asn1js.OctetString({ valueHex: sha256(content) })],
    }),
    new Attribute({
      type: CMS_OID.signingCertificateV2,
      values: [signingCertificateV2(certificateDer, certificate)],
    }),
  ];
  // DER orders a SET OF by encoding; some verifiers re-encode the attributes before hashing.
  const encoded = new Map(attributes.map((a) => [a, new Uint8Array(a.toSchema().toBER())]));
  attributes.sort((a, b) =>
    compareBytes(encoded.get(a) ?? new Uint8Array(), encoded.get(b) ?? new Uint8Array()),
  );
  const signedAttrs = new SignedAndUnsignedAttributes({ type: 0, attributes });
  const signedAttrsDer = new Uint8Array(signedAttrs.toSchema().toBER());
  signedAttrsDer[0] = 0x31; // hashed as an explicit SET OF, not as the [0] IMPLICIT field
  const signature = await signer.signDigest(sha256(signedAttrsDer));

  const sha256Identifier = () => new AlgorithmIdentifier({ algorithmId: CMS_OID.sha256 });
  const signedData = new SignedData({
    version: 1,
    digestAlgorithms: [sha256Identifier()],
    encapContentInfo: new EncapsulatedContentInfo({ eContentType: CMS_OID.data }),
    certificates: [certificate],
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
      }),
    ],
  });
  const contentInfo = new ContentInfo({
    contentType: CMS_OID.signedData,
    content: signedData.toSchema(true),
  });
  return new Uint8Array(contentInfo.toSchema().toBER());
}

/** Bridges @signpdf's Signer to a DigestSigner. */
class DigestSignerCms extends Signer {
  constructor(private readonly signer: DigestSigner) {
    super();
  }

  override async sign(pdfBuffer: Buffer): Promise<Buffer> {
    return Buffer.from(await buildCadesDetachedSignature(pdfBuffer, this.signer));
  }
}

/** Adding a signature would need a full rewrite, which would break the signatures already there. */
export class SignedPdfRewriteError extends Error {
  override readonly name = 'SignedPdfRewriteError';
}

/** True when the last cross-reference section is a classic table, which placeholder-plain needs. */
const hasClassicXref = (pdf: Buffer): boolean => {
  const startxref = pdf.lastIndexOf('startxref');
  const offset = Number.parseInt(
    pdf
      .subarray(startxref + 9, startxref + 40)
      .toString('latin1')
      .trim(),
    10,
  );
  return (
    startxref >= 0 &&
    Number.isFinite(offset) &&
    pdf
      .subarray(offset, offset + 40)
      .toString('latin1')
      .trimStart()
      .startsWith('xref') &&
    pdf.lastIndexOf('trailer') > offset
  );
};

/** Rewrites a PDF with a classic xref table and no object streams (pdf-lib's default save has both). */
const rewriteWithClassicXref = async (pdf: Buffer): Promise<Buffer> => {
  const document = await PDFDocument.load(pdf, { updateMetadata: false });
  const signed = document.context
    .enumerateIndirectObjects()
    .some(([, object]) => object instanceof PDFDict && object.has(PDFName.of('ByteRange')));
  if (signed)
    throw new SignedPdfRewriteError(
      'a signed PDF with cross-reference streams cannot take another signature',
    );
  return Buffer.from(await document.save({ useObjectStreams: false, updateFieldAppearances: false }));
};

/**
 * Adds the signature placeholder as an incremental update; a PDF placeholder-plain cannot
 * parse (xref streams, hybrid files) is first rewritten by pdf-lib, when it is unsigned.
 */
const addPlaceholder = async (pdf: Buffer, placeholder: Omit<InputType, 'pdfBuffer'>) => {
  if (hasClassicXref(pdf)) {
    try {
      return { input: pdf, output: plainAddPlaceholder({ ...placeholder, pdfBuffer: pdf }) };
    } catch (error) {
      if (!(error instanceof SignPdfError)) throw error;
    }
  }
  const input = await rewriteWithClassicXref(pdf);
  return { input, output: plainAddPlaceholder({ ...placeholder, pdfBuffer: input }) };
};

/** A PDF text string as UTF-16BE with BOM, in hex form: `<FEFF…>`. */
const pdfTextString = (text: string): string => {
  const utf16le = Buffer.from(`\ufeff${text.normalize('NFC')}`, 'utf16le');
  return `<${utf16le.swap16().toString('hex').toUpperCase()}>`;
};

/**
 * placeholder-plain writes non-ASCII strings as binary UTF-16 through a UTF-8 Buffer, which
 * mangles them. So it gets ASCII stand-ins of exactly the final length, replaced afterwards
 * in place (same length: the xref offsets stay right).
 */
const createTextStandIn = (text: string) => {
  const final = pdfTextString(text);
  const marker = randomBytes(4).toString('hex');
  const inner = marker + 'x'.repeat(final.length - 2 - marker.length);
  return { standIn: inner, literal: `(${inner})`, final };
};

const replaceStandIns = (
  pdf: Buffer,
  from: number,
  standIns: ReturnType<typeof createTextStandIn>[],
): Buffer => {
  for (const { literal, final } of standIns) {
    const at = pdf.indexOf(literal, from, 'latin1');
    if (at < 0) throw new Error('signature placeholder text not found');
    pdf.write(final, at, 'latin1');
  }
  return pdf;
};

/**
 * PAdES baseline (B-B) PDF signer: an invisible signature field with SubFilter
 * ETSI.CAdES.detached, added as an incremental update, whose CMS is signed by the injected
 * DigestSigner (a local key or KMS). Accepts any PDF pdf-lib can load; an unsigned PDF with
 * cross-reference streams (pdf-lib's default save) is first rewritten with a classic xref
 * table. A PDF already signed gets a further signature as another incremental update, which
 * keeps the earlier ones valid; that needs a classic xref table (SignedPdfRewriteError if not).
 */
export function createPadesPdfSigner(options: PadesPdfSignerOptions = {}): PdfSigner {
  const signatureLength = options.signatureLength ?? 8192;
  return {
    async sign(pdf, signer, { reason, location, signedAt }) {
      const certificateDer = await signer.certificate();
      const signerName = readCommonName(Certificate.fromBER(certificateDer));
      const texts = { reason, location, name: signerName };
      const standIns = Object.fromEntries(
        Object.entries(texts).map(([key, text]) => [key, text ? createTextStandIn(text) : undefined]),
      ) as Record<keyof typeof texts, ReturnType<typeof createTextStandIn> | undefined>;
      const { input, output } = await addPlaceholder(
        Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength),
        {
          reason: standIns.reason?.standIn ?? '',
          location: standIns.location?.standIn ?? '',
          name: standIns.name?.standIn ?? '',
          contactInfo: '',
          signingTime: signedAt,
          signatureLength,
          subFilter: SUBFILTER_ETSI_CADES_DETACHED,
          appName: options.appName ?? 'motcua',
        },
      );
      const present = Object.values(standIns).filter((s) => s !== undefined);
      const prepared = replaceStandIns(output, input.length - 1, present);
      const signed = await new SignPdf().sign(prepared, new DigestSignerCms(signer));
      const info: SignatureInfo = {
        signer: signerName,
        algorithm: signer.algorithm(),
        signedAt: signedAt.toISOString(),
        certificateFingerprint: certificateFingerprint(certificateDer),
      };
      return { pdf: new Uint8Array(signed.buffer, signed.byteOffset, signed.byteLength), info };
    },
  };
}
