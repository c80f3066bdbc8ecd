import { createHash, X509Certificate } from 'node:crypto';
import { Certificate, ContentInfo, SignedData, type SignerInfo } from 'pkijs';
import {
  certificateFingerprint,
  readCommonName,
} from '#shared/adapters/signing/build-self-signed-certificate.ts';
import { checkCmsSigner, HASH_BY_OID } from '#shared/adapters/signing/check-cms-signer.ts';
import { laterRevisionsOnlyAddSignatures } from '#shared/adapters/signing/check-later-revisions.ts';
import { CMS_OID } from '#shared/adapters/signing/cms-oids.ts';
import { lastStartxref, ObjectReader, parseValue } from '#shared/adapters/signing/read-pdf-objects.ts';
import {
  InvalidTimestampTokenError,
  readTimestampToken,
} from '#shared/adapters/signing/read-timestamp-token.ts';
import type { CertificateValidity, TimestampVerification } from '#shared/ports.ts';

export type { CertificateValidity, TimestampVerification };

/** DocMDP state of a certification signature. */
export interface CertificationStatus {
  /** DocMDP /P: 1 no change at all, 2 form fill-in and signing, 3 also annotations. */
  permission: 1 | 2 | 3;
  /** Every update after the certified revision only adds signatures, and P allows signing (P ≥ 2). */
  changesPermitted: boolean;
}

/** What a reader would say about one signature of a PDF. */
export interface SignatureVerification {
  /**
   * Integrity and signature both hold, and a certification's DocMDP permission was respected.
   * Check `coversWholeDocument` too before trusting the file.
   */
  valid: boolean;
  /** The digest of the signed byte ranges matches the signed messageDigest. */
  integrity: boolean;
  /** The CMS signature verifies with the embedded certificate's key (and matches signingCertificateV2). */
  signatureValid: boolean;
  /** Subject common name of the signing certificate. */
  signer: string;
  /** SHA-256 (hex) of the certificate the file carries for this signature. */
  certificateFingerprint?: string;
  /** ISO time from the signature dictionary's /M. */
  signedAt?: string;
  /** No byte was added after the signed ranges (false for an earlier signature followed by updates). */
  coversWholeDocument: boolean;
  /** Vietnamese summary for officers. */
  message: string;
  reason?: string;
  /** Present when the signature certifies the document (a DocMDP /Reference). */
  certification?: CertificationStatus;
  /** The signing certificate's validity, judged at the verification time. */
  certificateValidity?: CertificateValidity;
  /** The signature timestamp (PAdES B-T), when the signature carries one. */
  timestamp?: TimestampVerification;
  /**
   * The time at which the certificate was found valid: the verification time, or the timestamp's
   * (a certificate expired since, whose signature was timestamped while it was valid).
   * Absent when neither holds.
   */
  certificateValidAt?: 'verification-time' | 'timestamp';
  /**
   * Present when trusted roots were given: the certificates the CMS carries link the signing
   * certificate, signature by signature, to one of those roots.
   */
  chainTrusted?: boolean;
}

/** Options of {@link verifyPdfSignatures}. */
export interface VerifyPdfSignaturesOptions {
  /** The verification time certificates are judged at. @default now */
  at?: Date;
  /** DER root certificates (a province CA's, as imported with the agency certificates). */
  trustedRoots?: readonly Uint8Array[];
}

const MESSAGES = {
  valid: 'Chữ ký hợp lệ',
  validWithAdditions: 'Chữ ký hợp lệ, nhưng tài liệu có nội dung được thêm sau khi ký',
  modified: 'Tài liệu đã bị thay đổi sau khi ký',
  changedAfterCertification:
    'Tài liệu đã được chứng thực, nhưng sau đó bị thay đổi theo cách không được phép',
  badSignature: 'Chữ ký không hợp lệ',
  unreadable: 'Không đọc được chữ ký',
  badTimestamp: 'Dấu thời gian của chữ ký không hợp lệ',
  timestampOutsideValidity: 'Dấu thời gian nằm ngoài thời hạn hiệu lực của chứng thư số',
  expired:
    'Chứng thư số đã hết hạn và chữ ký không có dấu thời gian chứng minh đã ký khi chứng thư còn hiệu lực',
  notYetValid: 'Chứng thư số chưa đến thời hạn hiệu lực',
} as const;

interface SignatureField {
  byteRange: [number, number, number, number];
  contents: Buffer;
  dictionary: Buffer;
}

const BYTE_RANGE = /^\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/;

/** Every /ByteRange of the file with its /Contents and the text of its signature dictionary. */
const findSignatureFields = (pdf: Buffer): SignatureField[] => {
  const fields: SignatureField[] = [];
  for (let at = pdf.indexOf('/ByteRange'); at >= 0; at = pdf.indexOf('/ByteRange', at + 1)) {
    const match = BYTE_RANGE.exec(pdf.subarray(at, at + 120).toString('latin1'));
    if (!match) continue;
    const byteRange = match.slice(1, 5).map(Number) as SignatureField['byteRange'];
    const [start, length1, start2, length2] = byteRange;
    const contentsStart = start + length1;
    if (start2 <= contentsStart || start2 + length2 > pdf.length) continue;
    const objectStart = Math.max(0, pdf.lastIndexOf(' obj', Math.min(at, contentsStart)));
    const objectEnd = pdf.indexOf('endobj', start2);
    const dictionary = Buffer.concat([
      pdf.subarray(objectStart, contentsStart),
      pdf.subarray(start2, objectEnd < 0 ? start2 : objectEnd),
    ]);
    const hex = pdf
      .subarray(contentsStart, start2)
      .toString('latin1')
      .replace(/[<>\s]/g, '');
    fields.push({ byteRange, contents: Buffer.from(hex.length % 2 ? `${hex}0` : hex, 'hex'), dictionary });
  }
  return fields;
};

/** Reads a PDF string (literal or hex) at `at`; returns its raw bytes. */
const readPdfString = (text: Buffer, at: number): Buffer | undefined => {
  if (text[at] === 0x3c) {
    const end = text.indexOf('>', at);
    if (end < 0) return undefined;
    const hex = text
      .subarray(at + 1, end)
      .toString('latin1')
      .replace(/\s/g, '');
    return Buffer.from(hex.length % 2 ? `${hex}0` : hex, 'hex');
  }
  if (text[at] !== 0x28) return undefined;
  const out: number[] = [];
  const escapes: Record<string, number> = { n: 10, r: 13, t: 9, b: 8, f: 12 };
  for (let i = at + 1, depth = 1; i < text.length; i++) {
    const c = text[i] as number;
    if (c === 0x5c) {
      const next = String.fromCharCode(text[++i] ?? 0);
      if (/[0-7]/.test(next)) {
        let octal = next;
        while (octal.length < 3 && /[0-7]/.test(String.fromCharCode(text[i + 1] ?? 0))) {
          octal += String.fromCharCode(text[++i] ?? 0);
        }
        out.push(Number.parseInt(octal, 8) & 0xff);
      } else if (next === '\r' || next === '\n') {
        if (next === '\r' && text[i + 1] === 0x0a) i++;
      } else {
        out.push(escapes[next] ?? next.charCodeAt(0));
      }
      continue;
    }
    if (c === 0x28) depth++;
    if (c === 0x29 && --depth === 0) return Buffer.from(out);
    out.push(c);
  }
  return undefined;
};

/** Decodes a PDF text string: UTF-16BE with BOM, UTF-8 with BOM, or PDFDocEncoding (≈ Latin-1). */
const decodePdfText = (bytes: Buffer): string => {
  if (bytes[0] === 0xfe && bytes[1] === 0xff)
    return Buffer.from(bytes.subarray(2)).swap16().toString('utf16le');
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return bytes.subarray(3).toString('utf8');
  return bytes.toString('latin1');
};

const readDictionaryString = (dictionary: Buffer, key: string): string | undefined => {
  const match = new RegExp(`/${key}\\s*[(<]`).exec(dictionary.toString('latin1'));
  if (!match) return undefined;
  const bytes = readPdfString(dictionary, match.index + match[0].length - 1);
  return bytes ? decodePdfText(bytes) : undefined;
};

/** `D:YYYYMMDDHHmmSSOHH'mm'` → ISO 8601 (UTC). */
const parsePdfDate = (text: string | undefined): string | undefined => {
  const m = /^D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(Z|[+-]\d{2}'?\d{2}'?)?/.exec(text ?? '');
  if (!m) return undefined;
  const [, y, mo = '01', d = '01', h = '00', mi = '00', s = '00', zone = 'Z'] = m;
  const offset = zone === 'Z' ? 'Z' : `${zone.slice(0, 3)}:${zone.replace(/'/g, '').slice(3, 5) || '00'}`;
  const date = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}${offset}`);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
};

const unreadable = (): SignatureVerification => ({
  valid: false,
  integrity: false,
  signatureValid: false,
  signer: '',
  coversWholeDocument: false,
  message: MESSAGES.unreadable,
});

/**
 * The DocMDP permission of a signature dictionary's /Reference, or undefined when it does not
 * certify. An indirect /TransformParams is looked up; /P defaults to 2 (ISO 32000-1 Table 254).
 */
const readDocMdpPermission = (pdf: Buffer, dictionary: Buffer): 1 | 2 | 3 | undefined => {
  const text = dictionary.toString('latin1');
  const at = /\/Reference\s*\[/.exec(text);
  if (!at) return undefined;
  let references: ReturnType<typeof parseValue>['value'];
  try {
    references = parseValue(text, at.index + at[0].length - 1).value;
  } catch {
    return undefined;
  }
  if (references.kind !== 'array') return undefined;
  for (const reference of references.items) {
    if (reference.kind !== 'dict' || reference.entries.get('TransformMethod')?.raw !== '/DocMDP') continue;
    let params = reference.entries.get('TransformParams');
    if (params?.kind === 'ref') {
      try {
        params = new ObjectReader(pdf, lastStartxref(pdf)).read(params.num);
      } catch {
        params = undefined;
      }
    }
    const p = params?.kind === 'dict' ? Number(params.entries.get('P')?.raw ?? 2) : 2;
    return p === 1 || p === 3 ? p : 2;
  }
  return undefined;
};

/** The signatureTimeStampToken of a SignerInfo, checked against its signature value. */
const verifyTimestamp = (
  signerInfo: SignerInfo,
  certificateNotBefore: Date,
  certificateNotAfter: Date,
): TimestampVerification | undefined => {
  const attribute = signerInfo.unsignedAttrs?.attributes.find(
    (a) => a.type === CMS_OID.signatureTimeStampToken,
  );
  const value = attribute?.values[0];
  if (!value) return undefined;
  const broken: TimestampVerification = {
    genTime: '',
    authority: '',
    serialNumber: '',
    policy: '',
    imprintMatches: false,
    signatureValid: false,
    withinCertificateValidity: false,
    valid: false,
  };
  let token: ReturnType<typeof readTimestampToken>;
  try {
    token = readTimestampToken(value);
  } catch (error) {
    if (error instanceof InvalidTimestampTokenError) return broken;
    throw error;
  }
  const hash = Object.values(HASH_BY_OID).includes(token.imprintAlgorithm)
    ? token.imprintAlgorithm
    : undefined;
  const imprintMatches =
    hash !== undefined &&
    createHash(hash).update(signerInfo.signature.valueBlock.valueHexView).digest().equals(token.imprint);
  const genTime = token.genTime;
  const tsaCertificateHolds =
    token.certificate !== undefined &&
    new Date(token.certificate.notBefore) <= genTime &&
    genTime <= new Date(token.certificate.notAfter);
  const signatureValid = token.signatureValid && token.timeStampingCertificate && tsaCertificateHolds;
  const withinCertificateValidity = certificateNotBefore <= genTime && genTime <= certificateNotAfter;
  return {
    genTime: genTime.toISOString(),
    authority: token.authority,
    serialNumber: token.serialNumber,
    policy: token.policy,
    ...(token.certificate ? { certificateFingerprint: token.certificate.fingerprint } : {}),
    imprintMatches,
    signatureValid,
    withinCertificateValidity,
    valid: imprintMatches && signatureValid && withinCertificateValidity,
  };
};

/**
 * Whether `signer` chains to one of `roots` through `carried` (the CMS certificates): each link
 * names its issuer and verifies with the issuer's key; no link is used twice.
 */
const chainsToRoot = (
  signer: Uint8Array,
  carried: readonly Uint8Array[],
  roots: readonly Uint8Array[],
): boolean => {
  try {
    const trusted = roots.map((der) => new X509Certificate(der));
    const pool = carried.map((der) => new X509Certificate(der));
    let current = new X509Certificate(signer);
    for (let depth = 0; depth <= pool.length; depth++) {
      const link = current;
      if (trusted.some((root) => root.raw.equals(link.raw))) return true;
      if (trusted.some((root) => link.checkIssued(root) && link.verify(root.publicKey))) return true;
      const issuer = pool.find(
        (candidate) =>
          !candidate.raw.equals(link.raw) && link.checkIssued(candidate) && link.verify(candidate.publicKey),
      );
      if (!issuer) return false;
      current = issuer;
    }
    return false;
  } catch {
    return false;
  }
};

const verifyField = (
  pdf: Buffer,
  field: SignatureField,
  at: Date,
  trustedRoots: readonly Uint8Array[] | undefined,
): SignatureVerification => {
  const [start, length1, start2, length2] = field.byteRange;
  const signedContent = [pdf.subarray(start, start + length1), pdf.subarray(start2, start2 + length2)];
  const trailing = pdf.subarray(start2 + length2).toString('latin1');
  const coversWholeDocument = start === 0 && trailing.trim() === '';
  const reason = readDictionaryString(field.dictionary, 'Reason');
  const signedAt = parsePdfDate(readDictionaryString(field.dictionary, 'M'));
  const permission = readDocMdpPermission(pdf, field.dictionary);
  const certification: CertificationStatus | undefined = permission && {
    permission,
    changesPermitted:
      coversWholeDocument ||
      (permission >= 2 && start === 0 && laterRevisionsOnlyAddSignatures(pdf, start2 + length2)),
  };
  const extras = {
    ...(reason ? { reason } : {}),
    ...(signedAt ? { signedAt } : {}),
    ...(certification ? { certification } : {}),
  };

  let signedData: SignedData;
  try {
    const contentInfo = ContentInfo.fromBER(field.contents);
    if (contentInfo.contentType !== CMS_OID.signedData) return { ...unreadable(), ...extras };
    signedData = new SignedData({ schema: contentInfo.content });
  } catch {
    return { ...unreadable(), ...extras };
  }
  const signerInfo = signedData.signerInfos[0];
  const check = signerInfo && checkCmsSigner(signedData, signerInfo, signedContent);
  if (!signerInfo || !check) return { ...unreadable(), ...extras };
  const { certificate, certificateDer, integrity, signatureValid } = check;

  const notBefore = certificate.notBefore.value;
  const notAfter = certificate.notAfter.value;
  const certificateValidity: CertificateValidity = {
    notBefore: notBefore.toISOString(),
    notAfter: notAfter.toISOString(),
    status: at < notBefore ? 'not-yet-valid' : at > notAfter ? 'expired' : 'valid',
  };
  const timestamp = verifyTimestamp(signerInfo, notBefore, notAfter);
  const certificateValidAt =
    certificateValidity.status === 'valid'
      ? ('verification-time' as const)
      : timestamp?.valid
        ? ('timestamp' as const)
        : undefined;

  const changesPermitted = certification?.changesPermitted ?? true;
  // A timestamp is outside the signature: a broken one means the CMS was altered after signing.
  const timestampHolds = timestamp === undefined || timestamp.valid;
  const valid =
    integrity && signatureValid && changesPermitted && timestampHolds && certificateValidAt !== undefined;
  const message = !integrity
    ? MESSAGES.modified
    : !signatureValid
      ? MESSAGES.badSignature
      : !changesPermitted
        ? MESSAGES.changedAfterCertification
        : timestamp && !(timestamp.imprintMatches && timestamp.signatureValid)
          ? MESSAGES.badTimestamp
          : timestamp && !timestamp.withinCertificateValidity
            ? MESSAGES.timestampOutsideValidity
            : !certificateValidAt
              ? certificateValidity.status === 'expired'
                ? MESSAGES.expired
                : MESSAGES.notYetValid
              : coversWholeDocument
                ? MESSAGES.valid
                : MESSAGES.validWithAdditions;
  return {
    valid,
    integrity,
    signatureValid,
    signer: readCommonName(certificate),
    certificateFingerprint: certificateFingerprint(certificateDer),
    coversWholeDocument,
    message,
    ...extras,
    certificateValidity,
    ...(timestamp ? { timestamp } : {}),
    ...(certificateValidAt ? { certificateValidAt } : {}),
    ...(trustedRoots
      ? {
          chainTrusted: chainsToRoot(
            certificateDer,
            (signedData.certificates ?? [])
              .filter((c): c is Certificate => c instanceof Certificate)
              .map((c) => new Uint8Array(c.toSchema().toBER())),
            trustedRoots,
          ),
        }
      : {}),
  };
};

/**
 * Checks every signature of a PDF the way a reader does: digest of the signed byte ranges
 * against the CMS messageDigest, CMS signature against the embedded certificate's key. A
 * certification signature (DocMDP) is also judged on what followed it: an update that does
 * more than add signatures makes it invalid. The signing certificate must be valid at `at`
 * (the verification time), or the signature must carry a timestamp (PAdES B-T) over its value,
 * signed by a time-stamping certificate, whose time lies within the certificate's validity: a
 * signature made while its certificate was valid stays valid after it expires. Trust in the
 * signing certificate is judged only against `options.trustedRoots` (chainTrusted); `valid` never
 * depends on it, since the embedded runtime's certificates are self-signed. Revocation is not
 * checked. Empty when the PDF has no signature.
 */
export async function verifyPdfSignatures(
  pdf: Uint8Array,
  options: VerifyPdfSignaturesOptions = {},
): Promise<SignatureVerification[]> {
  const buffer = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength);
  const at = options.at ?? new Date();
  return findSignatureFields(buffer).map((field) => verifyField(buffer, field, at, options.trustedRoots));
}
