import { describe, expect, it } from 'vitest';
import {
  characterErrorRate,
  editDistance,
  MOTTO_LINES,
  makePaddedPdf,
  paperText,
  SAMPLE_PAPERS,
} from '#test/support/make-test-scans.ts';

/** Personal ID: province 001–096, century-and-gender digit, two-digit year, six digits. */
function isStructurallyValidPersonalId(id: string): boolean {
  const match = /^(\d{3})([0-9])(\d{2})\d{6}$/u.exec(id);
  if (!match) return false;
  const province = Number(match[1]);
  return province >= 1 && province <= 96;
}

/** Enterprise tax code: ten digits, the last a check digit over the first nine. */
function isValidTaxCode(code: string): boolean {
  if (!/^\d{10}$/u.test(code)) return false;
  const weights = [31, 29, 23, 19, 17, 13, 7, 5, 3];
  const sum = weights.reduce((total, weight, index) => total + weight * Number(code[index]), 0);
  const check = 10 - (sum % 11);
  return check !== 10 && check === Number(code[9]);
}

describe('SAMPLE_PAPERS', () => {
  it('covers five document types with distinct owners', () => {
    expect(SAMPLE_PAPERS.map((paper) => paper.docType)).toEqual(['KS', 'DKDN', 'LLTP', 'TTHN', 'GPXD']);
    expect(new Set(SAMPLE_PAPERS.map((paper) => paper.ownerId)).size).toBe(SAMPLE_PAPERS.length);
  });

  it.each(SAMPLE_PAPERS)('$docType prints a structurally valid owner identifier', (paper) => {
    const valid =
      paper.docType === 'DKDN' ? isValidTaxCode(paper.ownerId) : isStructurallyValidPersonalId(paper.ownerId);
    expect(valid).toBe(true);
    expect(paper.lines.join('\n')).toContain(paper.ownerId);
  });

  it('gives the enterprise paper a representative personal ID as a distractor', () => {
    const enterprise = SAMPLE_PAPERS.find((paper) => paper.docType === 'DKDN');
    expect(enterprise?.lines).toContain('Số định danh cá nhân: 001085012345');
    expect(isStructurallyValidPersonalId('001085012345')).toBe(true);
  });

  it('starts every paper with the national motto, then the title, all NFC', () => {
    for (const paper of SAMPLE_PAPERS) {
      const lines = paperText(paper).split('\n');
      expect(lines.slice(0, 3)).toEqual([...MOTTO_LINES, paper.title]);
      expect(paperText(paper)).toBe(paperText(paper).normalize('NFC'));
    }
  });
});

describe('text metrics', () => {
  it('counts edits by code point', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('NGUYỄN', 'NGUYÊN')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('computes a character error rate after NFC and whitespace normalisation', () => {
    expect(characterErrorRate('Hạnh  phúc', 'Ha\u0323nh phúc')).toBe(0);
    expect(characterErrorRate('abcd', 'abcx')).toBe(0.25);
  });
});

describe('makePaddedPdf', () => {
  it('makes exactly the bytes asked for, starting like a PDF', () => {
    const bytes = makePaddedPdf(2048);
    expect(bytes).toHaveLength(2048);
    expect(Buffer.from(bytes.subarray(0, 8)).toString('latin1')).toBe('%PDF-1.7');
  });
});
