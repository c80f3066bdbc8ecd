/**
 * Recognises a scanned paper's document type from its OCR text and finds its owner's ID.
 * Conservative by design: whenever the type or owner is uncertain the paper goes to review.
 */
import type { DocumentTypeConfig } from '#shared/config/province-config.ts';
import type { Classification } from '#shared/domain/document.ts';
import { findOwnerIdentifiers, type OwnerIdCandidate } from '#shared/domain/identifiers.ts';
import {
  collapseWhitespace,
  findFolded,
  foldPattern,
  foldText,
  isUpperCase,
  type TextSpan,
  toNfc,
} from '#shared/domain/text-normalisation.ts';

/** Options of {@link classifyDocument}. */
export interface ClassifyOptions {
  /** Below this confidence (0..1) the paper needs review (the province's `ocr.minConfidence`). */
  minConfidence: number;
  /**
   * Lines at the top of the first page where a title is expected.
   * @default 15
   */
  headLines?: number;
}

/** The classifier's verdict. */
export type ClassificationResult = Classification & { needsReview: boolean };

/** Confidence factors; exported so that tests and tuning can refer to them. */
export const CONFIDENCE = {
  /** Exact match of NFC, case-folded text. */
  exact: 1,
  /** Diacritics-insensitive match with one wrong letter; `perDiacriticError` less per further one, down to `looseFloor`. */
  loose: 0.9,
  perDiacriticError: 0.05,
  looseFloor: 0.7,
  /** Where the title is: the head of page 1, further down page 1, a later page. */
  inHead: 1,
  onFirstPage: 0.8,
  onLaterPage: 0.6,
  /** Titles are printed in capitals or stand alone on their line; anything else is a mention. */
  notTitleLike: 0.55,
} as const;

interface TitleMatch extends TextSpan {
  type: DocumentTypeConfig;
  pattern: string;
  page: number;
  confidence: number;
  title: string;
}

interface PreparedPage {
  text: string;
  loose: ReturnType<typeof foldText>;
  /** Offset where the head (first `headLines` non-empty lines) ends. */
  headEnd: number;
}

function preparePage(page: string, headLines: number): PreparedPage {
  const text = toNfc(page);
  let seen = 0;
  let headEnd = text.length;
  let offset = 0;
  for (const line of text.split('\n')) {
    if (line.trim().length > 0) seen++;
    offset += line.length + 1;
    if (seen === headLines) {
      headEnd = Math.min(offset, text.length);
      break;
    }
  }
  return { text, loose: foldText(text, 'loose'), headEnd };
}

function lineAround(text: string, span: TextSpan): { line: string; whole: boolean } {
  const lineStart = text.lastIndexOf('\n', span.start - 1) + 1;
  const newline = text.indexOf('\n', span.end);
  const lineEnd = newline < 0 ? text.length : newline;
  const line = collapseWhitespace(text.slice(lineStart, lineEnd));
  return { line, whole: line === collapseWhitespace(text.slice(span.start, span.end)) };
}

function countDiacriticErrors(found: string, pattern: string): number {
  const a = [...foldText(found, 'case').text];
  const b = [...foldPattern(pattern, 'case')];
  if (a.length !== b.length) return Math.max(a.length, b.length);
  return a.filter((char, index) => char !== b[index]).length;
}

function matchPattern(
  type: DocumentTypeConfig,
  pattern: string,
  page: PreparedPage,
  pageIndex: number,
): TitleMatch[] {
  // Exact matches are a subset of loose ones: grade each loose match by its diacritic errors.
  return findFolded(page.loose, foldPattern(pattern, 'loose')).map((span) => {
    const found = page.text.slice(span.start, span.end);
    const errors = countDiacriticErrors(found, pattern);
    const quality =
      errors === 0
        ? CONFIDENCE.exact
        : Math.max(CONFIDENCE.looseFloor, CONFIDENCE.loose - CONFIDENCE.perDiacriticError * (errors - 1));
    const position =
      pageIndex > 0
        ? CONFIDENCE.onLaterPage
        : span.start < page.headEnd
          ? CONFIDENCE.inHead
          : CONFIDENCE.onFirstPage;
    const { line, whole } = lineAround(page.text, span);
    const titleLike = isUpperCase(found) || whole ? 1 : CONFIDENCE.notTitleLike;
    const confidence = Math.round(quality * position * titleLike * 1000) / 1000;
    return { ...span, type, pattern, page: pageIndex, confidence, title: line.slice(0, 200) };
  });
}

function overlaps(a: TitleMatch, b: TitleMatch): boolean {
  return a.page === b.page && a.start < b.end && b.start < a.end;
}

/**
 * The best title match: the most confident, earliest one; then, among matches overlapping it
 * and nearly as confident, the longest pattern (the specific "GIẤY CHỨNG NHẬN ĐĂNG KÝ DOANH
 * NGHIỆP" over a generic "GIẤY CHỨNG NHẬN"). Non-overlapping matches on one line are decided by
 * position: "ĐƠN ĐỀ NGHỊ CẤP GIẤY PHÉP XÂY DỰNG" is an application, not a permit.
 */
function pickTitle(matches: readonly TitleMatch[]): TitleMatch | undefined {
  const sorted = [...matches].sort(
    (a, b) =>
      b.confidence - a.confidence ||
      a.page - b.page ||
      a.start - b.start ||
      b.pattern.length - a.pattern.length,
  );
  const best = sorted[0];
  if (!best) return undefined;
  return sorted
    .filter((match) => overlaps(match, best) && match.confidence >= best.confidence - 0.2)
    .reduce((winner, match) => (match.pattern.length > winner.pattern.length ? match : winner), best);
}

/** The owner's ID, or why none can be chosen without guessing. */
export type OwnerChoice = { ownerId: string } | { reviewReason: 'NO_OWNER_ID' | 'AMBIGUOUS_OWNER_ID' };

/**
 * Chooses the owner among ranked candidates: the first that follows an owner label and is not
 * marked as a third party's. Another different ID after a label of the same rank leaves nothing
 * to choose between them: ambiguous.
 */
export function chooseOwnerId(candidates: readonly OwnerIdCandidate[]): OwnerChoice {
  const labelled = candidates.filter((candidate) => candidate.label && !candidate.thirdParty);
  const first = labelled[0];
  if (!first) return { reviewReason: 'NO_OWNER_ID' };
  const rival = labelled.find(
    (candidate) => candidate.value !== first.value && candidate.label?.rank === first.label?.rank,
  );
  return rival ? { reviewReason: 'AMBIGUOUS_OWNER_ID' } : { ownerId: first.value };
}

/**
 * Classifies a paper from its pages' text against the province's document-type catalogue:
 * recognises the type by its title patterns (mostly at the top of the first page, tolerant of
 * OCR diacritic errors), then finds the owner's ID after the type's owner labels.
 * `needsReview` is set, with a `reviewReason`, when the type is unknown or not confident enough,
 * or the owner's ID is missing or ambiguous; nothing is guessed.
 */
export function classifyDocument(
  pages: readonly string[],
  catalogue: readonly DocumentTypeConfig[],
  options: ClassifyOptions,
): ClassificationResult {
  const prepared = pages.map((page) => preparePage(page, options.headLines ?? 15));
  const matches = prepared.flatMap((page, pageIndex) =>
    catalogue.flatMap((type) =>
      type.titlePatterns.flatMap((pattern) => matchPattern(type, pattern, page, pageIndex)),
    ),
  );
  const title = pickTitle(matches);
  if (!title) {
    return { confidence: 0, reviewReason: 'UNKNOWN_TYPE', decidedBy: 'classifier', needsReview: true };
  }
  const candidates = findOwnerIdentifiers(prepared.map((page) => page.text).join('\n'), {
    kind: title.type.owner,
    labels: title.type.ownerLabels,
  });
  const owner = chooseOwnerId(candidates);
  const result: ClassificationResult = {
    docType: title.type.code,
    confidence: title.confidence,
    title: title.title,
    decidedBy: 'classifier',
    needsReview: false,
  };
  if ('ownerId' in owner) result.ownerId = owner.ownerId;
  const reviewReason =
    title.confidence < options.minConfidence
      ? 'LOW_CONFIDENCE'
      : 'reviewReason' in owner
        ? owner.reviewReason
        : undefined;
  if (reviewReason) {
    result.reviewReason = reviewReason;
    result.needsReview = true;
  }
  return result;
}
