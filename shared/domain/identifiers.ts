/**
 * Owner identifiers printed on Vietnamese papers: the 12-digit personal ID (số định danh cá
 * nhân / CCCD) and the tax or enterprise code (mã số thuế / mã số doanh nghiệp).
 */
import {
  findFolded,
  foldPattern,
  foldText,
  type TextSpan,
  toNfc,
} from '#shared/domain/text-normalisation.ts';

/** A parse failure, with a reason an officer can read. */
export interface IdentifierError {
  ok: false;
  reason: string;
}

/** A valid personal ID and what it encodes. */
export interface PersonalId {
  ok: true;
  value: string;
  /** Province of birth registration, `001`–`096`. */
  provinceCode: string;
  gender: 'male' | 'female';
  birthYear: number;
}

/** A valid tax code, `NNNNNNNNNN` or `NNNNNNNNNN-NNN` for a branch. */
export interface TaxCode {
  ok: true;
  /** Canonical form: 10 digits, or 10 digits, a dash and the 3-digit branch. */
  value: string;
  /** The 10-digit code of the enterprise. */
  base: string;
  branch?: string;
}

/**
 * Parses a 12-digit personal ID: province of birth registration (001–096), century and gender
 * digit (Circular 59/2021: 0/1 1900s, 2/3 2000s, 4/5 2100s…; even male, odd female), two-digit
 * birth year, six digits. Surrounding whitespace is ignored; inner separators are not.
 */
export function parsePersonalId(input: string): PersonalId | IdentifierError {
  const value = input.trim();
  if (!/^\d{12}$/.test(value)) return { ok: false, reason: 'a personal ID must be exactly 12 digits' };
  const provinceCode = value.slice(0, 3);
  const province = Number(provinceCode);
  if (province < 1 || province > 96) {
    return { ok: false, reason: `province code ${provinceCode} is not between 001 and 096` };
  }
  const centuryGender = Number(value.slice(3, 4));
  return {
    ok: true,
    value,
    provinceCode,
    gender: centuryGender % 2 === 0 ? 'male' : 'female',
    birthYear: 1900 + Math.floor(centuryGender / 2) * 100 + Number(value.slice(4, 6)),
  };
}

const TAX_CODE_WEIGHTS = [31, 29, 23, 19, 17, 13, 7, 5, 3] as const;

/** The check digit of a tax code's first nine digits, or undefined when none exists (10). */
export function taxCodeCheckDigit(firstNine: string): number | undefined {
  let sum = 0;
  TAX_CODE_WEIGHTS.forEach((weight, index) => {
    sum += weight * Number(firstNine.charAt(index));
  });
  const check = 10 - (sum % 11);
  return check === 10 ? undefined : check;
}

/**
 * Parses a tax / enterprise code: 10 digits whose last is the check digit (weights 31, 29, 23,
 * 19, 17, 13, 7, 5, 3; check = 10 − (sum mod 11), invalid when 10), optionally a branch
 * `-NNN` (001–999). 13 digits without the dash are read as the branch form.
 */
export function parseTaxCode(input: string): TaxCode | IdentifierError {
  const match = /^(\d{10})(?:-?(\d{3}))?$/.exec(input.trim());
  if (!match?.[1]) {
    return { ok: false, reason: 'a tax code must be 10 digits, optionally followed by -NNN for a branch' };
  }
  const base = match[1];
  const check = taxCodeCheckDigit(base.slice(0, 9));
  if (check === undefined || check !== Number(base.charAt(9))) {
    return { ok: false, reason: `tax code ${base} has a wrong check digit` };
  }
  const branch = match[2];
  if (branch === undefined) return { ok: true, value: base, base };
  if (branch === '000') return { ok: false, reason: 'a branch number must be between 001 and 999' };
  return { ok: true, value: `${base}-${branch}`, base, branch };
}

/** Whose identifier a paper carries: a person's personal ID or an organisation's tax code. */
export type OwnerKind = 'person' | 'organisation';

/** Parses an owner identifier of either kind, in canonical form. */
export function parseOwnerId(input: string): (PersonalId | TaxCode | IdentifierError) & { kind?: OwnerKind } {
  const trimmed = input.trim();
  if (/^\d{12}$/.test(trimmed)) return { ...parsePersonalId(trimmed), kind: 'person' };
  if (/^\d{10}(?:-?\d{3})?$/.test(trimmed)) return { ...parseTaxCode(trimmed), kind: 'organisation' };
  return { ok: false, reason: 'must be a 12-digit personal ID or a tax code (10 digits, optionally -NNN)' };
}

/** Words before an ID's label that mark it as someone else's (a parent, witness, proxy). */
export const THIRD_PARTY_WORDS: readonly string[] = [
  'mẹ',
  'cha',
  'bố',
  'người làm chứng',
  'người giám hộ',
  'người đi khai',
  'người đại diện',
  'người được ủy quyền',
  'người được uỷ quyền',
];

/** Options of {@link findOwnerIdentifiers}. */
export interface FindOwnerIdentifiersOptions {
  kind: OwnerKind;
  /** Labels printed before the owner's ID, most specific first (earlier ranks higher). */
  labels: readonly string[];
  /** @default THIRD_PARTY_WORDS */
  thirdPartyWords?: readonly string[];
  /**
   * Longest text allowed between a label and its ID (no digits, at most one line break).
   * @default 40
   */
  maxLabelGap?: number;
}

/** An identifier found in text. Offsets refer to the NFC-normalised text. */
export interface OwnerIdCandidate {
  /** Canonical value (tax branches with their dash). */
  value: string;
  kind: OwnerKind;
  start: number;
  end: number;
  /** 0-based line of the first digit. */
  line: number;
  /** The configured label this ID directly follows. */
  label?: { text: string; rank: number; start: number; line: number };
  /** Set when the label is qualified as someone else's (e.g. `mẹ`): not the owner's. */
  thirdParty?: string;
}

const ID_LIKE_NUMBER = /\d(?:[ .-]?\d){8,}/;

interface DigitGroup {
  digits: string;
  start: number;
  end: number;
  dashBefore: boolean;
}

// OCR splits long numbers with spaces or dots ("038 319 001 234", "038.319.001.234").
const SPACE_SEPARATOR = /^[ \t\u00a0]{1,2}$/;
const MARK_SEPARATOR = /^[ \t\u00a0]?[.\-–][ \t\u00a0]?$/;

function findDigitRuns(text: string): DigitGroup[][] {
  const runs: DigitGroup[][] = [];
  let run: DigitGroup[] = [];
  let previousEnd = -1;
  for (const match of text.matchAll(/\d+/g)) {
    const start = match.index;
    const separator = text.slice(previousEnd, start);
    const joined = previousEnd >= 0 && (SPACE_SEPARATOR.test(separator) || MARK_SEPARATOR.test(separator));
    if (!joined && run.length > 0) {
      runs.push(run);
      run = [];
    }
    run.push({
      digits: match[0],
      start,
      end: start + match[0].length,
      dashBefore: joined && /[-–]/.test(separator),
    });
    previousEnd = start + match[0].length;
  }
  if (run.length > 0) runs.push(run);
  return runs;
}

type RawCandidate = Pick<OwnerIdCandidate, 'value' | 'start' | 'end'>;

function candidatesInRun(run: readonly DigitGroup[], kind: OwnerKind): RawCandidate[] {
  const found: RawCandidate[] = [];
  for (let first = 0; first < run.length; first++) {
    let digits = '';
    for (let last = first; last < run.length && digits.length < 13; last++) {
      const group = run[last] as DigitGroup;
      digits += group.digits;
      const start = (run[first] as DigitGroup).start;
      if (kind === 'person' && digits.length === 12 && parsePersonalId(digits).ok) {
        found.push({ value: digits, start, end: group.end });
      }
      if (kind === 'organisation' && (digits.length === 10 || digits.length === 13)) {
        const taxCode = parseTaxCode(digits);
        if (taxCode.ok) found.push({ value: taxCode.value, start, end: group.end });
        const next = run[last + 1];
        if (taxCode.ok && digits.length === 10 && next?.dashBefore && next.digits.length === 3) {
          const branch = parseTaxCode(`${digits}-${next.digits}`);
          if (branch.ok) found.push({ value: branch.value, start, end: next.end });
        }
      }
    }
  }
  // Within one run, the longest reading wins (a branch over its bare tax code).
  found.sort((a, b) => b.end - b.start - (a.end - a.start) || a.start - b.start);
  const kept: RawCandidate[] = [];
  for (const candidate of found) {
    if (kept.every((other) => candidate.end <= other.start || candidate.start >= other.end))
      kept.push(candidate);
  }
  return kept;
}

interface LabelOccurrence extends TextSpan {
  text: string;
  rank: number;
}

function findLabels(folded: ReturnType<typeof foldText>, labels: readonly string[]): LabelOccurrence[] {
  const all: LabelOccurrence[] = [];
  labels.forEach((label, rank) => {
    for (const span of findFolded(folded, foldPattern(label, 'loose')))
      all.push({ ...span, text: label, rank });
  });
  // "Số định danh" inside "Số định danh cá nhân" is the same occurrence: keep the longer.
  all.sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: LabelOccurrence[] = [];
  for (const occurrence of all) {
    const last = kept[kept.length - 1];
    if (last && occurrence.start < last.end) continue;
    kept.push(occurrence);
  }
  return kept;
}

function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let index = text.indexOf('\n'); index >= 0; index = text.indexOf('\n', index + 1))
    starts.push(index + 1);
  return starts;
}

function lineOf(lineStarts: readonly number[], offset: number): number {
  let low = 0;
  let high = lineStarts.length - 1;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if ((lineStarts[middle] as number) <= offset) low = middle;
    else high = middle - 1;
  }
  return low;
}

function findThirdPartyWord(region: string, words: readonly string[]): string | undefined {
  const folded = foldText(region, 'case');
  return words.find((word) => findFolded(folded, foldPattern(word, 'case')).length > 0);
}

/**
 * Finds the valid owner identifiers of one kind in OCR text (personal IDs for a person, tax
 * codes for an organisation), tolerating the spaces, dots and dashes OCR puts inside digit
 * groups. Candidates that directly follow one of the labels (matched ignoring case and
 * diacritics) come first, by label rank then position; label-adjacent IDs qualified as a third
 * party's (mẹ, cha, …) next; then unlabelled ones by position. Each value appears once.
 */
export function findOwnerIdentifiers(text: string, options: FindOwnerIdentifiersOptions): OwnerIdCandidate[] {
  const nfc = toNfc(text);
  const lineStarts = lineStartsOf(nfc);
  const labels = findLabels(foldText(nfc, 'loose'), options.labels);
  const maxGap = options.maxLabelGap ?? 40;
  const thirdPartyWords = options.thirdPartyWords ?? THIRD_PARTY_WORDS;

  const candidates: OwnerIdCandidate[] = findDigitRuns(nfc)
    .flatMap((run) => candidatesInRun(run, options.kind))
    .map((raw) => {
      const candidate: OwnerIdCandidate = { ...raw, kind: options.kind, line: lineOf(lineStarts, raw.start) };
      const label = labels.findLast((occurrence) => occurrence.end <= raw.start);
      if (!label) return candidate;
      const gap = nfc.slice(label.end, raw.start);
      if (gap.length > maxGap || /\d/.test(gap) || gap.split('\n').length > 2) return candidate;
      const labelLine = lineOf(lineStarts, label.start);
      candidate.label = { text: label.text, rank: label.rank, start: label.start, line: labelLine };
      // The previous line counts too ("Họ tên người mẹ: …" above "Số định danh cá nhân: …"),
      // but only after the last ID-like number: what precedes it belongs to another entry.
      const context = nfc.slice(lineStarts[Math.max(0, labelLine - 1)] ?? 0, label.start);
      const afterLastNumber = context.split(ID_LIKE_NUMBER).pop() ?? '';
      const thirdParty = findThirdPartyWord(afterLastNumber + gap, thirdPartyWords);
      if (thirdParty) candidate.thirdParty = thirdParty;
      return candidate;
    });

  const tier = (candidate: OwnerIdCandidate): number =>
    candidate.label ? (candidate.thirdParty ? 1 : 0) : 2;
  candidates.sort(
    (a, b) => tier(a) - tier(b) || (a.label?.rank ?? 0) - (b.label?.rank ?? 0) || a.start - b.start,
  );
  const seen = new Set<string>();
  return candidates.filter((candidate) => !seen.has(candidate.value) && seen.add(candidate.value));
}
