import { createHash } from 'node:crypto';
import { PDFDict, PDFDocument, PDFName } from 'pdf-lib';
import {
  appendSignaturePlaceholder,
  type SignatureFields,
} from '#shared/adapters/signing/append-signature-placeholder.ts';
import { buildTimestampedCadesSignature } from '#shared/adapters/signing/build-cades-signature.ts';
import { readCertificate } from '#shared/adapters/signing/build-self-signed-certificate.ts';
import { UnsupportedPdfStructureError } from '#shared/adapters/signing/read-pdf-objects.ts';
import type { SignatureInfo } from '#shared/domain/document.ts';
import type { IssuedTimestamp, TimestampAuthority } from '#shared/ports/timestamp-authority.ts';
import type { DigestSigner, PdfSigner } from '#shared/ports.ts';

/** Options of {@link createPadesPdfSigner}. */
export interface PadesPdfSignerOptions {
  /**
   * Bytes reserved for the CMS in /Contents; RSA-3072 with a self-signed certificate needs
   * about 2.5 KB, a CA chain more, and a timestamp token a few KB (the authority's chain).
   * @default 8192, 16384 with a time-stamping authority
   */
  signatureLength?: number;
  /**
   * Timestamps each signature value (PAdES B-T), so that the signature stays verifiable after
   * its certificate expires. Absent: B-B signatures.
   */
  timestamps?: TimestampAuthority;
  /** Written as /Prop_Build /App /Name. @default 'motcua' */
  appName?: string;
  /**
   * The first signature of a document certifies it (DocMDP P=2: later signatures only); later
   * signatures are approval signatures whatever this says. `false` makes every signature an
   * approval signature.
   * @default true
   */
  certify?: boolean;
}

export { buildCadesDetachedSignature } from '#shared/adapters/signing/build-cades-signature.ts';

/** Adding a signature would need a full rewrite, which would break the signatures already there. */
export class SignedPdfRewriteError extends Error {
  override readonly name = 'SignedPdfRewriteError';
}

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
 * Adds the signature placeholder as an incremental update; a PDF without a classic xref
 * table (xref streams, hybrid files) is first rewritten by pdf-lib, when it is unsigned.
 */
const addPlaceholder = async (pdf: Buffer, fields: SignatureFields) => {
  try {
    return appendSignaturePlaceholder(pdf, fields);
  } catch (error) {
    if (!(error instanceof UnsupportedPdfStructureError)) throw error;
  }
  return appendSignaturePlaceholder(await rewriteWithClassicXref(pdf), fields);
};

/**
 * Hashes the signed ranges, builds the CMS and writes it as hex into the reserved /Contents;
 * also gives the SHA-256 of the signed file, which shares the first range's hashing (the PDF
 * is read once, not twice).
 */
const fillSignature = async (
  {
    pdf,
    byteRange: [start1, length1, start2, length2],
    contents,
  }: ReturnType<typeof appendSignaturePlaceholder>,
  signer: DigestSigner,
  timestamps: TimestampAuthority | undefined,
): Promise<{ pdf: Buffer; sha256: string; timestamp?: IssuedTimestamp }> => {
  const firstRange = createHash('sha256').update(pdf.subarray(start1, start1 + length1));
  // The signed file is the first range, /Contents, then the second range.
  const wholeFile = start1 === 0 && start2 + length2 === pdf.length ? firstRange.copy() : undefined;
  const digest = firstRange.update(pdf.subarray(start2, start2 + length2)).digest();
  const built = await buildTimestampedCadesSignature(digest, signer, timestamps);
  const cms = Buffer.from(built.cms).toString('hex');
  if (cms.length > contents.length)
    throw new Error(`signature of ${cms.length / 2} bytes exceeds the ${contents.length / 2} reserved`);
  pdf.write(cms, contents.start, 'latin1');
  const sha256 = (
    wholeFile ? wholeFile.update(pdf.subarray(start1 + length1)) : createHash('sha256').update(pdf)
  ).digest('hex');
  return { pdf, sha256, ...(built.timestamp ? { timestamp: built.timestamp } : {}) };
};

/** A PDF text string as UTF-16BE with BOM, in hex form: `<FEFF…>`. */
const pdfTextString = (text: string): string => {
  const utf16le = Buffer.from(`\ufeff${text.normalize('NFC')}`, 'utf16le');
  return `<${utf16le.swap16().toString('hex').toUpperCase()}>`;
};

/**
 * PAdES baseline PDF signer (B-B, or B-T with a time-stamping authority): an invisible signature field with SubFilter
 * ETSI.CAdES.detached, added as an incremental update, whose CMS is signed by the injected
 * DigestSigner (a local key or KMS). Accepts any PDF pdf-lib can load; an unsigned PDF with
 * cross-reference streams (pdf-lib's default save) is first rewritten with a classic xref
 * table. A PDF already signed gets a further signature as another incremental update, which
 * keeps the earlier ones valid; that needs a classic xref table (SignedPdfRewriteError if not).
 * The first signature of a document is a certification (see PadesPdfSignerOptions.certify).
 */
export function createPadesPdfSigner(options: PadesPdfSignerOptions = {}): PdfSigner {
  const signatureLength = options.signatureLength ?? (options.timestamps ? 16384 : 8192);
  return {
    async sign(pdf, signer, { reason, location, signedAt }) {
      const certificateDer = await signer.certificate();
      const { commonName: signerName, fingerprint, details } = readCertificate(certificateDer);
      const prepared = await addPlaceholder(Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength), {
        signatureLength,
        signedAt,
        reason: reason ? pdfTextString(reason) : undefined,
        location: location ? pdfTextString(location) : undefined,
        name: signerName ? pdfTextString(signerName) : undefined,
        appName: options.appName ?? 'motcua',
        certify: options.certify ?? true,
      });
      const { pdf: signed, sha256, timestamp } = await fillSignature(prepared, signer, options.timestamps);
      const info: SignatureInfo = {
        signer: signerName,
        algorithm: signer.algorithm(),
        signedAt: signedAt.toISOString(),
        certificateFingerprint: fingerprint,
        certificate: { ...details },
        signedPdfSha256: sha256,
        ...(prepared.certification ? { certification: prepared.certification } : {}),
        ...(timestamp
          ? {
              timestamp: {
                genTime: timestamp.genTime,
                authority: timestamp.authority,
                serialNumber: timestamp.serialNumber,
                ...(timestamp.certificateFingerprint
                  ? { certificateFingerprint: timestamp.certificateFingerprint }
                  : {}),
              },
            }
          : {}),
      };
      return { pdf: new Uint8Array(signed.buffer, signed.byteOffset, signed.byteLength), info };
    },
  };
}
