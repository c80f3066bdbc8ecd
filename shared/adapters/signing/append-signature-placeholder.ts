/**
 * Appends a PAdES signature placeholder to a PDF as an incremental update, reading only the
 * trailer, the classic xref tables and the few objects it changes (catalog, first page,
 * AcroForm), each decoded as a small latin1 slice: a multi-megabyte scan is never converted
 * to a string as a whole.
 */

/** The PDF has no classic xref table this writer can follow (xref streams, hybrid or encrypted files). */
export class UnsupportedPdfStructureError extends Error {
  override readonly name = 'UnsupportedPdfStructureError';
}

type PdfValue =
  | { kind: 'dict'; entries: Map<string, PdfValue>; raw: string }
  | { kind: 'array'; items: PdfValue[]; raw: string }
  | { kind: 'ref'; num: number; gen: number; raw: string }
  | { kind: 'other'; raw: string };

type PdfDict = Extract<PdfValue, { kind: 'dict' }>;

const WHITESPACE = new Set(['\0', '\t', '\n', '\f', '\r', ' ']);
const DELIMITERS = new Set(['(', ')', '<', '>', '[', ']', '{', '}', '/', '%']);
const isRegular = (char: string | undefined) =>
  char !== undefined && !WHITESPACE.has(char) && !DELIMITERS.has(char);

const fail = (message: string): never => {
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
const parseValue = (text: string, start: number): { value: PdfValue; end: number } => {
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

const asDict = (value: PdfValue | undefined, what: string): PdfDict =>
  value?.kind === 'dict' ? value : fail(`${what} is not a dictionary`);

interface XrefEntry {
  offset: number;
  gen: number;
  inUse: boolean;
}

interface XrefSection {
  entries: Map<number, XrefEntry>;
  trailer: PdfDict;
}

const latin1 = (pdf: Buffer, start: number, end: number) => pdf.toString('latin1', start, end);

/** Parses the classic xref table at `offset` and the trailer after it. */
const readXrefSection = (pdf: Buffer, offset: number): XrefSection => {
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

/** Objects of a PDF, looked up through its xref chain (latest section first, /Prev on demand). */
class ObjectReader {
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

  entry(num: number): XrefEntry {
    for (let i = 0; ; i++) {
      const section = this.sections[i] ?? this.loadPrevious(i);
      const found = section.entries.get(num);
      if (found) return found.inUse ? found : fail(`object ${num} is free`);
    }
  }

  private loadPrevious(index: number): XrefSection {
    const prev = this.sections[index - 1]?.trailer.entries.get('Prev');
    if (prev?.kind !== 'other' || index > 64) return fail('object not in any xref section');
    const section = readXrefSection(this.pdf, Number(prev.raw));
    this.sections.push(section);
    return section;
  }

  read(num: number): PdfValue {
    const { offset } = this.entry(num);
    const end = this.pdf.indexOf('endobj', offset, 'latin1');
    if (end < 0) fail(`object ${num} has no endobj`);
    const text = latin1(this.pdf, offset, end);
    const header = /^\s*(\d+)\s+(\d+)\s+obj/.exec(text);
    if (Number(header?.[1]) !== num) fail(`xref offset of object ${num} is wrong`);
    return parseValue(text, header?.[0].length ?? 0).value;
  }

  resolve(value: PdfValue | undefined): PdfValue | undefined {
    return value?.kind === 'ref' ? this.read(value.num) : value;
  }
}

const serializeDict = (entries: Map<string, PdfValue | string>): string =>
  `<<\n${[...entries].map(([key, value]) => `/${key} ${typeof value === 'string' ? value : value.raw}`).join('\n')}\n>>`;

const withEntries = (dict: PdfDict, changes: Record<string, string>): Map<string, PdfValue | string> => {
  const entries = new Map<string, PdfValue | string>(dict.entries);
  for (const [key, value] of Object.entries(changes)) entries.set(key, value);
  return entries;
};

/** `Root → /Pages → /Kids[0]`, down through intermediate /Pages nodes. */
const findFirstPage = (reader: ObjectReader, catalog: PdfDict) => {
  let node = catalog.entries.get('Pages');
  for (let depth = 0; depth < 64; depth++) {
    if (node?.kind !== 'ref') return fail('page tree node is not an indirect object');
    const dict = asDict(reader.read(node.num), 'page tree node');
    if (dict.entries.get('Type')?.raw !== '/Pages') return { ref: node, dict };
    const kids = reader.resolve(dict.entries.get('Kids'));
    node = kids?.kind === 'array' ? kids.items[0] : fail('page tree node without /Kids');
  }
  return fail('page tree too deep');
};

const arrayItems = (reader: ObjectReader, value: PdfValue | undefined): PdfValue[] => {
  const resolved = reader.resolve(value);
  return resolved?.kind === 'array' ? resolved.items : [];
};

const fieldName = (reader: ObjectReader, field: PdfValue): string | undefined => {
  const dict = reader.resolve(field);
  return dict?.kind === 'dict' ? dict.entries.get('T')?.raw : undefined;
};

const pdfName = (name: string): string =>
  `/${name.replace(/[^!-~]|[#()<>[\]{}/%]/g, (c) => `#${c.charCodeAt(0).toString(16).padStart(2, '0')}`)}`;

const pdfDate = (date: Date): string => `(D:${date.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z)`;

/** What goes into the signature dictionary; text values are ready PDF strings (`<FEFF…>`). */
export interface SignatureFields {
  signatureLength: number;
  signedAt: Date;
  reason?: string;
  location?: string;
  name?: string;
  appName: string;
}

/** The PDF with its placeholder; `contents` is where the CMS hex goes, `byteRange` is filled. */
export interface PreparedSignature {
  pdf: Buffer;
  byteRange: [number, number, number, number];
  contents: { start: number; length: number };
}

const BYTE_RANGE_PLACEHOLDER = '0 ********** ********** **********';

const signatureDictionary = (fields: SignatureFields): { text: string; contentsAt: number } => {
  const head = [
    '<<',
    '/Type /Sig',
    '/Filter /Adobe.PPKLite',
    '/SubFilter /ETSI.CAdES.detached',
    `/ByteRange [${BYTE_RANGE_PLACEHOLDER}]`,
    '/Contents ',
  ].join('\n');
  const tail = [
    `<${'0'.repeat(fields.signatureLength * 2)}>`,
    ...(fields.reason ? [`/Reason ${fields.reason}`] : []),
    `/M ${pdfDate(fields.signedAt)}`,
    ...(fields.location ? [`/Location ${fields.location}`] : []),
    ...(fields.name ? [`/Name ${fields.name}`] : []),
    `/Prop_Build << /Filter << /Name /Adobe.PPKLite >> /App << /Name ${pdfName(fields.appName)} >> >>`,
    '>>',
  ].join('\n');
  return { text: head + tail, contentsAt: head.length };
};

const xrefTable = (offsets: Map<number, { offset: number; gen: number }>): string => {
  const numbers = [...offsets.keys()].sort((a, b) => a - b);
  const lines = ['xref'];
  for (let i = 0; i < numbers.length; ) {
    let j = i;
    while (numbers[j + 1] === (numbers[j] ?? 0) + 1) j++;
    lines.push(`${numbers[i]} ${j - i + 1}`);
    for (const num of numbers.slice(i, j + 1)) {
      const { offset, gen } = offsets.get(num) ?? { offset: 0, gen: 0 };
      lines.push(`${String(offset).padStart(10, '0')} ${String(gen).padStart(5, '0')} n\r`);
    }
    i = j + 1;
  }
  return `${lines.join('\n')}\n`;
};

/**
 * Appends an invisible signature field on the first page (signature dictionary, widget, new
 * page and catalog or AcroForm versions, xref section, trailer) after the untouched original
 * bytes, with /ByteRange filled and /Contents reserved as zeros.
 * @throws UnsupportedPdfStructureError when the last xref section is not a classic table.
 */
export function appendSignaturePlaceholder(pdf: Buffer, fields: SignatureFields): PreparedSignature {
  const tail = latin1(pdf, Math.max(0, pdf.length - 1024), pdf.length);
  const startxref = /startxref\s+(\d+)\s*(?:%%EOF)?\s*$/.exec(tail.slice(tail.lastIndexOf('startxref')));
  if (!startxref) return fail('no startxref');
  const reader = new ObjectReader(pdf, Number(startxref[1]));
  const { trailer } = reader;
  if (trailer.entries.has('Encrypt') || trailer.entries.has('XRefStm')) fail('encrypted or hybrid PDF');
  const size = Number(trailer.entries.get('Size')?.raw);
  const root = trailer.entries.get('Root');
  if (!Number.isInteger(size) || root?.kind !== 'ref') return fail('trailer without /Size or /Root');
  const catalog = asDict(reader.read(root.num), 'catalog');
  const page = findFirstPage(reader, catalog);

  const sigNum = size;
  const widgetNum = size + 1;
  const widgetRef = `${widgetNum} 0 R`;
  const acroFormValue = catalog.entries.get('AcroForm');
  const acroForm = asDict(
    reader.resolve(acroFormValue) ?? { kind: 'dict', entries: new Map(), raw: '' },
    'AcroForm',
  );
  const existingFields = arrayItems(reader, acroForm.entries.get('Fields'));
  const names = new Set(existingFields.map((field) => fieldName(reader, field)));
  let index = 1;
  while (names.has(`(Signature${index})`)) index++;

  const newAcroForm = serializeDict(
    withEntries(acroForm, {
      Fields: `[${[...existingFields.map((f) => f.raw), widgetRef].join(' ')}]`,
      SigFlags: '3',
    }),
  );
  const annots = [...arrayItems(reader, page.dict.entries.get('Annots')).map((a) => a.raw), widgetRef];
  const signature = signatureDictionary(fields);
  const objects: [number, number, string][] = [
    [sigNum, 0, signature.text],
    [
      widgetNum,
      0,
      `<<\n/Type /Annot\n/Subtype /Widget\n/FT /Sig\n/F 132\n/Rect [0 0 0 0]\n/T (Signature${index})\n/V ${sigNum} 0 R\n/P ${page.ref.num} ${page.ref.gen} R\n>>`,
    ],
    [page.ref.num, page.ref.gen, serializeDict(withEntries(page.dict, { Annots: `[${annots.join(' ')}]` }))],
    acroFormValue?.kind === 'ref'
      ? [acroFormValue.num, reader.entry(acroFormValue.num).gen, newAcroForm]
      : [root.num, root.gen, serializeDict(withEntries(catalog, { AcroForm: newAcroForm }))],
  ];

  const last = pdf[pdf.length - 1];
  let text = last === 0x0a || last === 0x0d ? '' : '\n';
  const offsets = new Map<number, { offset: number; gen: number }>();
  let contentsAt = 0;
  for (const [num, gen, body] of objects) {
    offsets.set(num, { offset: pdf.length + text.length, gen });
    if (num === sigNum)
      contentsAt = pdf.length + text.length + `${num} ${gen} obj\n`.length + signature.contentsAt;
    text += `${num} ${gen} obj\n${body}\nendobj\n`;
  }
  const xrefAt = pdf.length + text.length;
  const kept = ['Info', 'ID'].flatMap((key) => {
    const value = trailer.entries.get(key);
    return value ? [`/${key} ${value.raw}`] : [];
  });
  text += xrefTable(offsets);
  text += `trailer\n<<\n/Size ${size + 2}\n/Root ${root.raw}\n${kept.map((k) => `${k}\n`).join('')}/Prev ${reader.startxref}\n>>\nstartxref\n${xrefAt}\n%%EOF\n`;

  const output = Buffer.allocUnsafe(pdf.length + text.length);
  pdf.copy(output, 0);
  output.write(text, pdf.length, 'latin1');
  const contentsLength = fields.signatureLength * 2 + 2;
  const byteRange: PreparedSignature['byteRange'] = [
    0,
    contentsAt,
    contentsAt + contentsLength,
    output.length - contentsAt - contentsLength,
  ];
  const byteRangeAt = output.lastIndexOf(BYTE_RANGE_PLACEHOLDER, contentsAt, 'latin1');
  output.write(byteRange.join(' ').padEnd(BYTE_RANGE_PLACEHOLDER.length, ' '), byteRangeAt, 'latin1');
  return { pdf: output, byteRange, contents: { start: contentsAt + 1, length: fields.signatureLength * 2 } };
}
