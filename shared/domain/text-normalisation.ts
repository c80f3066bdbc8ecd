/**
 * Text folding for matching Vietnamese OCR output against configured titles and labels.
 *
 * Folded text keeps a map back to the input, so a match found in folded text can be reported
 * as it appears in the original (with its diacritics).
 */

/** How far to fold: `case` lower-cases (NFC kept); `loose` also drops diacritics and maps đ to d. */
export type FoldMode = 'case' | 'loose';

/** Folded text with, per folded UTF-16 unit, the input range it came from. */
export interface FoldedText {
  readonly text: string;
  /** Input offset of the code point each folded unit came from. */
  readonly starts: readonly number[];
  /** Input offset just after that code point. */
  readonly ends: readonly number[];
}

/** A match in input offsets. */
export interface TextSpan {
  start: number;
  end: number;
}

const WHITESPACE = /\s/u;
const COMBINING_MARKS = /\p{M}+/gu;
const WORD_CHAR = /[\p{L}\p{N}]/u;

/** NFC-normalises text; every offset the matching functions return refers to NFC text. */
export function toNfc(text: string): string {
  return text.normalize('NFC');
}

/** Folds one code point; may return '' (a stray combining mark) or several units. */
export function foldChar(char: string, mode: FoldMode): string {
  const cache = FOLD_CACHE[mode];
  let folded = cache.get(char);
  if (folded === undefined) {
    const lower = char.toLowerCase();
    folded =
      mode === 'case'
        ? lower.normalize('NFC')
        : lower.normalize('NFD').replace(COMBINING_MARKS, '').replace(/[đð]/g, 'd');
    if (cache.size < 10_000) cache.set(char, folded);
  }
  return folded;
}

const FOLD_CACHE: Record<FoldMode, Map<string, string>> = { case: new Map(), loose: new Map() };

/**
 * Folds text for matching: lower case (and, in `loose` mode, no diacritics), whitespace runs
 * (including line breaks) collapsed to one space. Pass NFC text.
 */
export function foldText(input: string, mode: FoldMode): FoldedText {
  const units: string[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  let offset = 0;
  for (const char of input) {
    const end = offset + char.length;
    if (WHITESPACE.test(char)) {
      if (units[units.length - 1] === ' ') {
        ends[ends.length - 1] = end;
      } else if (units.length > 0) {
        units.push(' ');
        starts.push(offset);
        ends.push(end);
      }
    } else {
      for (const unit of foldChar(char, mode)) {
        units.push(unit);
        starts.push(offset);
        ends.push(end);
      }
    }
    offset = end;
  }
  return { text: units.join(''), starts, ends };
}

/** Folds a pattern (a title or label) the same way as the text it is searched in, trimmed. */
export function foldPattern(pattern: string, mode: FoldMode): string {
  return foldText(toNfc(pattern).trim(), mode).text.trim();
}

/**
 * Finds every occurrence of an already folded needle in folded text, on word boundaries,
 * and returns the spans in input offsets.
 */
export function findFolded(haystack: FoldedText, needle: string): TextSpan[] {
  const spans: TextSpan[] = [];
  if (needle.length === 0) return spans;
  let from = 0;
  for (;;) {
    const index = haystack.text.indexOf(needle, from);
    if (index < 0) return spans;
    from = index + 1;
    const last = index + needle.length - 1;
    const before = haystack.text[index - 1];
    const after = haystack.text[last + 1];
    if ((before !== undefined && WORD_CHAR.test(before)) || (after !== undefined && WORD_CHAR.test(after))) {
      continue;
    }
    const start = haystack.starts[index];
    const end = haystack.ends[last];
    if (start !== undefined && end !== undefined) spans.push({ start, end });
  }
}

/** True when the text has letters and none of them is lower case. */
export function isUpperCase(text: string): boolean {
  return /\p{L}/u.test(text) && text === text.toUpperCase();
}

/** Collapses whitespace runs to single spaces and trims. */
export function collapseWhitespace(text: string): string {
  return text.replace(/\s+/gu, ' ').trim();
}
