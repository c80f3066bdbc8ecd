import * as asn1js from 'asn1js';

/** DER length octets of a content of `length` bytes (short form below 128, else long form). */
const lengthOctets = (length: number): Uint8Array => {
  if (length < 0x80) return Uint8Array.of(length);
  const octets: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) octets.unshift(rest % 256);
  return Uint8Array.of(0x80 | octets.length, ...octets);
};

/**
 * One DER element: its (single-byte) tag, definite length and content, the parts concatenated.
 * Lets a CMS be assembled from pieces already encoded (certificates, a timestamp token) instead
 * of parsing them into ASN.1 objects only to encode them again.
 */
export function derElement(tag: number, ...content: readonly Uint8Array[]): Buffer {
  const length = content.reduce((sum, part) => sum + part.byteLength, 0);
  return Buffer.concat([Uint8Array.of(tag), lengthOctets(length), ...content]);
}

/** A DER OBJECT IDENTIFIER. */
export const derObjectIdentifier = (oid: string): Buffer =>
  Buffer.from(new asn1js.ObjectIdentifier({ value: oid }).toBER());

/** A DER INTEGER of a small non-negative number. */
export const derSmallInteger = (value: number): Buffer => Buffer.from(new asn1js.Integer({ value }).toBER());

/** The DER element that starts `der` (the whole element, header included) and where its content starts. */
const elementAt = (der: Uint8Array, offset: number): { end: number; contentStart: number } => {
  const tag = der[offset];
  const first = der[offset + 1];
  if (tag === undefined || first === undefined || (tag & 0x1f) === 0x1f || first === 0x80)
    throw new RangeError(`no DER element with a one-byte tag and definite length at ${offset}`);
  let length = first;
  let contentStart = offset + 2;
  if (first > 0x80) {
    const octets = first & 0x7f;
    if (octets > 4) throw new RangeError(`DER length of ${octets} octets at ${offset}`);
    length = 0;
    for (let i = 0; i < octets; i++) length = length * 256 + (der[contentStart + i] ?? 0);
    contentStart += octets;
  }
  const end = contentStart + length;
  if (end > der.byteLength) throw new RangeError(`DER element at ${offset} runs past the end`);
  return { end, contentStart };
};

/** The elements inside the constructed DER element that starts `der`, each with its header. */
export function derChildren(der: Uint8Array): Uint8Array[] {
  const { end, contentStart } = elementAt(der, 0);
  const children: Uint8Array[] = [];
  for (let offset = contentStart; offset < end; ) {
    const child = elementAt(der, offset);
    if (child.end > end) throw new RangeError(`DER element at ${offset} runs past its parent`);
    children.push(der.subarray(offset, child.end));
    offset = child.end;
  }
  return children;
}

/**
 * The elements inside the constructed element that starts `encoded`, each with its header: a
 * DER walk, which builds no ASN.1 objects; a BER encoding (indefinite lengths…) is parsed by
 * asn1js instead.
 * @throws RangeError when it is no constructed element.
 */
export function berChildren(encoded: Uint8Array): Uint8Array[] {
  try {
    return derChildren(encoded);
  } catch {
    const parsed = asn1js.fromBER(encoded);
    const block = parsed.result;
    if (parsed.offset === -1 || !block.idBlock.isConstructed || !('value' in block.valueBlock))
      throw new RangeError('not a constructed ASN.1 element');
    return (block.valueBlock.value as asn1js.AsnType[]).map((child) => child.valueBeforeDecodeView);
  }
}
