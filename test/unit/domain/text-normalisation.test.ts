import { describe, expect, it } from 'vitest';
import { findFolded, foldPattern, foldText, isUpperCase, toNfc } from '#shared/domain/text-normalisation.ts';

describe('foldText', () => {
  it('drops case, diacritics and đ in loose mode, collapsing whitespace', () => {
    expect(foldText(toNfc('GIẤY  Đăng\nký'), 'loose').text).toBe('giay dang ky');
    expect(foldText(toNfc('GIẤY Đăng'), 'case').text).toBe('giấy đăng');
  });

  it('maps matches back to the original text', () => {
    const original = toNfc('Số: 12\nGIÂY KHAI SINH');
    const [span] = findFolded(foldText(original, 'loose'), foldPattern('giấy khai sinh', 'loose'));
    expect(span && original.slice(span.start, span.end)).toBe('GIÂY KHAI SINH');
  });

  it('matches whole words only', () => {
    expect(findFolded(foldText('TỜ KHAIX', 'loose'), foldPattern('TỜ KHAI', 'loose'))).toEqual([]);
  });

  it('tells capitals', () => {
    expect(isUpperCase('GIẤY KHAI SINH')).toBe(true);
    expect(isUpperCase('Giấy khai sinh')).toBe(false);
    expect(isUpperCase('123')).toBe(false);
  });
});
