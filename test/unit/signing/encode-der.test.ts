import * as asn1js from 'asn1js';
import { describe, expect, it } from 'vitest';
import { derChildren, derElement } from '#shared/adapters/signing/encode-der.ts';

describe('derElement', () => {
  it('encodes as asn1js does, in the short and the long length forms', () => {
    for (const size of [0, 1, 127, 128, 255, 256, 70_000]) {
      const content = new Uint8Array(size).fill(0x5a);
      const expected = new Uint8Array(new asn1js.OctetString({ valueHex: content }).toBER());
      expect(
        new Uint8Array(derElement(0x04, content.subarray(0, size >> 1), content.subarray(size >> 1))),
      ).toEqual(expected);
    }
  });
});

describe('derChildren', () => {
  it('gives the elements inside a constructed element, headers included', () => {
    const long = new asn1js.OctetString({ valueHex: new Uint8Array(300).fill(1) });
    const sequence = new asn1js.Sequence({
      value: [new asn1js.Integer({ value: 7 }), long, new asn1js.Null()],
    });
    const children = derChildren(new Uint8Array(sequence.toBER()));
    expect(children.map((child) => Buffer.from(child).toString('hex'))).toEqual([
      '020107',
      Buffer.from(long.toBER()).toString('hex'),
      '0500',
    ]);
  });

  it('refuses an indefinite length, a child running past its parent, and a truncated element', () => {
    expect(() => derChildren(Uint8Array.of(0x30, 0x80, 0x05, 0x00, 0x00, 0x00))).toThrow(RangeError);
    expect(() =>
      derChildren(Uint8Array.of(0x30, 0x03, 0x04, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00)),
    ).toThrow(RangeError);
    expect(() => derChildren(Uint8Array.of(0x30, 0x05, 0x02, 0x01))).toThrow(RangeError);
  });
});
