import { describe, expect, it } from 'vitest';
import { sniffMediaType } from '#shared/adapters/documents/sniff-media-type.ts';

const bytes = (...values: number[]) => new Uint8Array(values);

describe('sniffMediaType', () => {
  it.each([
    ['application/pdf', bytes(0x25, 0x50, 0x44, 0x46, 0x2d, 0x31, 0x2e, 0x37)],
    ['image/jpeg', bytes(0xff, 0xd8, 0xff, 0xe0)],
    ['image/png', bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)],
    ['image/tiff', bytes(0x49, 0x49, 0x2a, 0x00)],
    ['image/tiff', bytes(0x4d, 0x4d, 0x00, 0x2a)],
  ])('recognises %s', (mediaType, head) => {
    expect(sniffMediaType(head)).toBe(mediaType);
  });

  it.each([
    ['a ZIP archive', bytes(0x50, 0x4b, 0x03, 0x04)],
    ['a GIF image', bytes(0x47, 0x49, 0x46, 0x38, 0x39, 0x61)],
    ['a PDF header without its dash', bytes(0x25, 0x50, 0x44, 0x46)],
    ['nothing', bytes()],
  ])('rejects %s', (_, head) => {
    expect(sniffMediaType(head)).toBeUndefined();
  });
});
