import { describe, expect, it } from 'vitest';
import {
  findOwnerIdentifiers,
  parseOwnerId,
  parsePersonalId,
  parseTaxCode,
  taxCodeCheckDigit,
} from '#shared/domain/identifiers.ts';

describe('parsePersonalId', () => {
  it('decodes province, gender and birth year', () => {
    expect(parsePersonalId('038319001234')).toEqual({
      ok: true,
      value: '038319001234',
      provinceCode: '038',
      gender: 'female',
      birthYear: 2019,
    });
    expect(parsePersonalId(' 079085001234 ')).toMatchObject({ ok: true, gender: 'male', birthYear: 1985 });
    expect(parsePersonalId('001190012345')).toMatchObject({ ok: true, gender: 'female', birthYear: 1990 });
    expect(parsePersonalId('096401000001')).toMatchObject({ ok: true, gender: 'male', birthYear: 2101 });
  });

  it.each([
    ['03831900123', 'exactly 12 digits'],
    ['0383190012345', 'exactly 12 digits'],
    ['038 319 001 234', 'exactly 12 digits'],
    ['03831900123A', 'exactly 12 digits'],
    ['000319001234', 'province code 000'],
    ['097319001234', 'province code 097'],
  ])('rejects %s', (input, reason) => {
    const result = parsePersonalId(input);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.reason).toContain(reason);
  });
});

describe('parseTaxCode', () => {
  it('accepts a code whose check digit matches', () => {
    expect(parseTaxCode('0314409058')).toEqual({ ok: true, value: '0314409058', base: '0314409058' });
    expect(parseTaxCode('0100109106').ok).toBe(true);
    expect(taxCodeCheckDigit('031440905')).toBe(8);
  });

  it('rejects a wrong check digit', () => {
    expect(parseTaxCode('0314409059')).toEqual({
      ok: false,
      reason: 'tax code 0314409059 has a wrong check digit',
    });
  });

  it('rejects every code whose check would be 10', () => {
    expect(taxCodeCheckDigit('100000008')).toBeUndefined();
    for (let last = 0; last <= 9; last++) expect(parseTaxCode(`100000008${last}`).ok).toBe(false);
  });

  it('accepts branches with or without the dash, in canonical form', () => {
    expect(parseTaxCode('0314409058-002')).toEqual({
      ok: true,
      value: '0314409058-002',
      base: '0314409058',
      branch: '002',
    });
    expect(parseTaxCode('0314409058002')).toMatchObject({ ok: true, value: '0314409058-002' });
  });

  it.each([
    '0314409058-000',
    '0314409059-002',
    '031440905',
    '0314409058-02',
    '0314409058-0021',
    'O314409058',
  ])('rejects %s', (input) => {
    expect(parseTaxCode(input).ok).toBe(false);
  });
});

describe('parseOwnerId', () => {
  it('tells a personal ID from a tax code', () => {
    expect(parseOwnerId('038319001234')).toMatchObject({ ok: true, kind: 'person' });
    expect(parseOwnerId('0314409058-002')).toMatchObject({
      ok: true,
      kind: 'organisation',
      value: '0314409058-002',
    });
    expect(parseOwnerId('12345').ok).toBe(false);
  });
});

describe('findOwnerIdentifiers', () => {
  const person = { kind: 'person', labels: ['Số định danh cá nhân', 'Số CCCD', 'Số định danh'] } as const;

  it('joins digit groups that OCR split with spaces or dots', () => {
    const spaced = findOwnerIdentifiers('Số định danh cá nhân: 038 319 001 234', person);
    expect(spaced.map((candidate) => candidate.value)).toEqual(['038319001234']);
    const dotted = findOwnerIdentifiers('Số CCCD 038.319.001.234.', person);
    expect(dotted.map((candidate) => candidate.value)).toEqual(['038319001234']);
  });

  it('does not join numbers across line breaks or read inside longer numbers', () => {
    expect(findOwnerIdentifiers('Số định danh: 038319\n001234', person)).toEqual([]);
    expect(findOwnerIdentifiers('Số hiệu: 9038319001234', person)).toEqual([]);
  });

  it('picks a 12-digit ID out of a run with a leading number', () => {
    expect(findOwnerIdentifiers('1 038319001234', person).map((candidate) => candidate.value)).toEqual([
      '038319001234',
    ]);
  });

  it('ranks IDs that follow a label first, matching labels without case or diacritics', () => {
    const text = 'Điện thoại liên hệ ... 079085001234\nSO DINH DANH CA NHAN: 038319001234';
    const found = findOwnerIdentifiers(text, person);
    expect(found.map((candidate) => candidate.value)).toEqual(['038319001234', '079085001234']);
    expect(found[0]?.label).toMatchObject({ text: 'Số định danh cá nhân', rank: 0, line: 1 });
    expect(found[1]?.label).toBeUndefined();
  });

  it('ranks a more specific label before a less specific one', () => {
    const text = 'Số định danh: 079085001234\nSố định danh cá nhân: 038319001234';
    expect(findOwnerIdentifiers(text, person).map((candidate) => candidate.value)).toEqual([
      '038319001234',
      '079085001234',
    ]);
  });

  it("marks an ID after a parent's name as a third party's", () => {
    const text = [
      'Số định danh cá nhân: 038319001234',
      'Họ, chữ đệm, tên người mẹ: TRẦN THỊ BÌNH',
      'Số định danh cá nhân: 038190012345',
    ].join('\n');
    const found = findOwnerIdentifiers(text, person);
    expect(found.map((candidate) => [candidate.value, candidate.thirdParty])).toEqual([
      ['038319001234', undefined],
      ['038190012345', 'mẹ'],
    ]);
  });

  it('ignores invalid numbers and reports each value once', () => {
    const text = 'Số định danh cá nhân: 038319001234; số định danh: 038319001234; Số CCCD: 099319001234';
    expect(findOwnerIdentifiers(text, person).map((candidate) => candidate.value)).toEqual(['038319001234']);
  });

  it('finds tax codes and branches for an organisation, not personal IDs', () => {
    const text = [
      'Mã số doanh nghiệp: 0314 409 058',
      'Người đại diện: Số định danh cá nhân: 079085001234',
      'Chi nhánh: Mã số thuế 0314409058 - 002',
      'Mã số thuế: 0314409059',
    ].join('\n');
    const found = findOwnerIdentifiers(text, {
      kind: 'organisation',
      labels: ['Mã số doanh nghiệp', 'Mã số thuế'],
    });
    expect(found.map((candidate) => [candidate.value, candidate.label?.rank])).toEqual([
      ['0314409058', 0],
      ['0314409058-002', 1],
    ]);
  });

  it('reads 13 digits without a dash as a branch', () => {
    const found = findOwnerIdentifiers('MST: 0314409058002', { kind: 'organisation', labels: ['MST'] });
    expect(found.map((candidate) => candidate.value)).toEqual(['0314409058-002']);
  });

  it('does not take an ID after a label when digits come between them', () => {
    const found = findOwnerIdentifiers('Số định danh cá nhân (mục 3) ghi tại 038319001234', person);
    expect(found[0]?.label).toBeUndefined();
  });
});
