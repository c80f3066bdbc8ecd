/** Media types an upload may have. */
export type SupportedMediaType = 'application/pdf' | 'image/jpeg' | 'image/png' | 'image/tiff';

const SIGNATURES: readonly { mediaType: SupportedMediaType; magic: readonly number[] }[] = [
  { mediaType: 'application/pdf', magic: [0x25, 0x50, 0x44, 0x46, 0x2d] }, // %PDF-
  { mediaType: 'image/jpeg', magic: [0xff, 0xd8, 0xff] },
  { mediaType: 'image/png', magic: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  { mediaType: 'image/tiff', magic: [0x49, 0x49, 0x2a, 0x00] }, // II*\0, little-endian
  { mediaType: 'image/tiff', magic: [0x4d, 0x4d, 0x00, 0x2a] }, // MM\0*, big-endian
  { mediaType: 'image/tiff', magic: [0x49, 0x49, 0x2b, 0x00] }, // BigTIFF, little-endian
  { mediaType: 'image/tiff', magic: [0x4d, 0x4d, 0x00, 0x2b] }, // BigTIFF, big-endian
];

/** Bytes to read from the start of a file to sniff its type. */
export const SNIFF_BYTES = 16;

/** The media type a file's first bytes announce, or undefined when none of PDF, JPEG, PNG, TIFF. */
export function sniffMediaType(head: Uint8Array): SupportedMediaType | undefined {
  return SIGNATURES.find(({ magic }) => magic.every((byte, index) => head[index] === byte))?.mediaType;
}
