import * as asn1js from 'asn1js';
import { describe, expect, it } from 'vitest';
import { berChildren, derChildren, derElement } from '#shared/adapters/signing/encode-der.ts';

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

describe('berChildren', () => {
  it('gives the same elements for a DER and for an indefinite-length encoding, and refuses a primitive', () => {
    const children = [new asn1js.Integer({ value: 7 }), new asn1js.Utf8String({ value: 'một cửa' })];
    const der = new Uint8Array(new asn1js.Sequence({ value: children }).toBER());
    const indefinite = new asn1js.Sequence({ value: children });
    indefinite.lenBlock.isIndefiniteForm = true;
    const ber = new Uint8Array(indefinite.toBER());
    expect(ber[1]).toBe(0x80);
    const expected = children.map((child) => Buffer.from(child.toBER()).toString('hex'));
    expect(berChildren(der).map((child) => Buffer.from(child).toString('hex'))).toEqual(expected);
    expect(berChildren(ber).map((child) => Buffer.from(child).toString('hex'))).toEqual(expected);
    expect(() => berChildren(Uint8Array.of(0x02, 0x01, 0x07))).toThrow(RangeError);
  });
});
