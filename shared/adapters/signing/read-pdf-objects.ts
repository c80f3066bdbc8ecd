/**
 * A small reader of PDF objects through classic xref tables, for the signer (which appends
 * an incremental update) and the verifier (which judges the updates after a certification).
 * It decodes only the slices it needs as latin1: a multi-megabyte scan is never converted to
 * a string as a whole.
 */

/** The PDF has no classic xref table this reader can follow (xref streams, hybrid or encrypted files). */
export class UnsupportedPdfStructureError extends Error {
  override readonly name = 'UnsupportedPdfStructureError';
}

/** One parsed PDF value; `raw` is its source text, for rewriting and comparing. */
export type PdfValue =
  | { kind: 'dict'; entries: Map<string, PdfValue>; raw: string }
  | { kind: 'array'; items: PdfValue[]; raw: string }
  | { kind: 'ref'; num: number; gen: number; raw: string }
  | { kind: 'other'; raw: string };

/** A parsed PDF dictionary. */
export type PdfDict = Extract<PdfValue, { kind: 'dict' }>;

const WHITESPACE = new Set(['\0', '\t', '\n', '\f', '\r', ' ']);
const DELIMITERS = new Set(['(', ')', '<', '>', '[', ']', '{', '}', '/', '%']);
const isRegular = (char: string | undefined) =>
  char !== undefined && !WHITESPACE.has(char) && !DELIMITERS.has(char);

/** Throws UnsupportedPdfStructureError with `message`. */
export const fail = (message: string): never => {
  throw new UnsupportedPdfStructureError(message);
};

const skipSpace = (text: string, start: number): number => {
  let at = start;
  while (at < text.length) {
    const char = text[at];
    if (char === '%') {
      while (at < text.length && text[at] !== '\n' && text[at] !== '\r') at++;
    } else if (char !== undefined && WHITESPACE.has(char)) at++;
    else break;
  }
  return at;
};

const readRegular = (text: string, start: number): number => {
  let at = start;
  while (isRegular(text[at])) at++;
  return at;
};

const skipLiteralString = (text: string, start: number): number => {
  let depth = 0;
  for (let at = start; at < text.length; at++) {
    const char = text[at];
    if (char === '\\') at++;
    else if (char === '(') depth++;
    else if (char === ')' && --depth === 0) return at + 1;
  }
  return fail('unterminated string');
};

/** Parses one PDF object at `start`, keeping each value's source text for rewriting. */
export const parseValue = (text: string, start: number): { value: PdfValue; end: number } => {
  const at = skipSpace(text, start);
  const char = text[at];
  if (text.startsWith('<<', at)) {
    const entries = new Map<string, PdfValue>();
    let next = skipSpace(text, at + 2);
    while (!text.startsWith('>>', next)) {
      if (text[next] !== '/') fail(`malformed dictionary at ${next}`);
      const keyEnd = readRegular(text, next + 1);
      const parsed = parseValue(text, keyEnd);
      entries.set(text.slice(next + 1, keyEnd), parsed.value);
      next = skipSpace(text, parsed.end);
    }
    return { value: { kind: 'dict', entries, raw: text.slice(at, next + 2) }, end: next + 2 };
  }
  if (char === '[') {
    const items: PdfValue[] = [];
    let next = skipSpace(text, at + 1);
    while (text[next] !== ']') {
      if (next >= text.length) fail('unterminated array');
      const parsed = parseValue(text, next);
      items.push(parsed.value);
      next = skipSpace(text, parsed.end);
    }
    return { value: { kind: 'array', items, raw: text.slice(at, next + 1) }, end: next + 1 };
  }
  let end: number;
  if (char === '<') end = text.indexOf('>', at) + 1 || fail('unterminated hex string');
  else if (char === '(') end = skipLiteralString(text, at);
  else if (char === '/') end = readRegular(text, at + 1);
  else end = readRegular(text, at);
  if (end === at) fail(`unexpected ${JSON.stringify(char)} at ${at}`);
  const token = text.slice(at, end);
  if (/^\d+$/.test(token)) {
    const ref = /^\s+(\d+)\s+R(?![^\0\t\n\f\r ()<>[\]{}/%])/.exec(text.slice(end, end + 24));
    if (ref) {
      const length = ref[0].length;
      const raw = text.slice(at, end + length);
      return { value: { kind: 'ref', num: Number(token), gen: Number(ref[1]), raw }, end: end + length };
    }
  }
  return { value: { kind: 'other', raw: token }, end };
};

/** `value` as a dictionary, or UnsupportedPdfStructureError naming `what`. */
export const asDict = (value: PdfValue | undefined, what: string): PdfDict =>
  value?.kind === 'dict' ? value : fail(`${what} is not a dictionary`);

/** One in-use or free row of a classic xref table. */
export interface XrefEntry {
  offset: number;
  gen: number;
  inUse: boolean;
}

/** A classic xref table with the trailer that follows it. */
export interface XrefSection {
  entries: Map<number, XrefEntry>;
  trailer: PdfDict;
}

/** `pdf[start, end)` as a latin1 string. */
export const latin1 = (pdf: Buffer, start: number, end: number) => pdf.toString('latin1', start, end);

/** Parses the classic xref table at `offset` and the trailer after it. */
export const readXrefSection = (pdf: Buffer, offset: number): XrefSection => {
  if (
    !latin1(pdf, offset, offset + 8)
      .trimStart()
      .startsWith('xref')
  )
    fail('not a classic xref table');
  const trailerAt = pdf.indexOf('trailer', offset, 'latin1');
  if (trailerAt < 0) fail('no trailer');
  const tokens = latin1(pdf, offset, trailerAt).trim().split(/\s+/).slice(1);
  const entries = new Map<number, XrefEntry>();
  for (let i = 0; i < tokens.length; ) {
    const first = Number(tokens[i]);
    const count = Number(tokens[i + 1]);
    if (!Number.isInteger(first) || !Number.isInteger(count)) fail('malformed xref subsection');
    for (let n = 0; n < count; n++) {
      const at = i + 2 + n * 3;
      entries.set(first + n, {
        offset: Number(tokens[at]),
        gen: Number(tokens[at + 1]),
        inUse: tokens[at + 2] === 'n',
      });
    }
    i += 2 + count * 3;
  }
  const startxrefAt = pdf.indexOf('startxref', trailerAt, 'latin1');
  const trailerText = latin1(pdf, trailerAt + 7, startxrefAt < 0 ? pdf.length : startxrefAt);
  return { entries, trailer: asDict(parseValue(trailerText, 0).value, 'trailer') };
};

/** The offset named by the last `startxref` of `pdf[0, end)`, the revision that ends there. */
export const lastStartxref = (pdf: Buffer, end = pdf.length): number => {
  const tail = latin1(pdf, Math.max(0, end - 1024), end);
  const match = /startxref\s+(\d+)\s*(?:%%EOF)?\s*$/.exec(tail.slice(tail.lastIndexOf('startxref')));
  return match ? Number(match[1]) : fail('no startxref');
};

/** A parsed indirect object, and whether a stream follows its dictionary. */
export interface PdfObject {
  value: PdfValue;
  hasStream: boolean;
}

/** Objects of a PDF, looked up through its xref chain (latest section first, /Prev on demand). */
export class ObjectReader {
  private readonly sections: XrefSection[];

  constructor(
    private readonly pdf: Buffer,
    readonly startxref: number,
  ) {
    this.sections = [readXrefSection(pdf, startxref)];
  }

  get trailer(): PdfDict {
    return (this.sections[0] as XrefSection).trailer;
  }

  /** The xref row of object `num`, or undefined when no section has it or it is free. */
  find(num: number): XrefEntry | undefined {
    for (let i = 0; ; i++) {
      const section = this.sections[i] ?? this.loadPrevious(i);
      if (!section) return undefined;
      const found = section.entries.get(num);
      if (found) return found.inUse ? found : undefined;
    }
  }

  entry(num: number): XrefEntry {
    return this.find(num) ?? fail(`object ${num} is free or in no xref section`);
  }

  private loadPrevious(index: number): XrefSection | undefined {
    const prev = this.sections[index - 1]?.trailer.entries.get('Prev');
    if (prev === undefined) return undefined;
    if (prev.kind !== 'other' || index > 64) return fail('malformed or too long /Prev chain');
    const section = readXrefSection(this.pdf, Number(prev.raw));
    this.sections.push(section);
    return section;
  }

  readObject(num: number): PdfObject {
    const { offset } = this.entry(num);
    const end = this.pdf.indexOf('endobj', offset, 'latin1');
    if (end < 0) fail(`object ${num} has no endobj`);
    const text = latin1(this.pdf, offset, end);
    const header = /^\s*(\d+)\s+(\d+)\s+obj/.exec(text);
    if (Number(header?.[1]) !== num) fail(`xref offset of object ${num} is wrong`);
    const parsed = parseValue(text, header?.[0].length ?? 0);
    return { value: parsed.value, hasStream: /^\s*stream/.test(text.slice(parsed.end, parsed.end + 16)) };
  }

  read(num: number): PdfValue {
    return this.readObject(num).value;
  }

  resolve(value: PdfValue | undefined): PdfValue | undefined {
    return value?.kind === 'ref' ? this.read(value.num) : value;
  }
}
