/**
 * Appends a PAdES signature placeholder to a PDF as an incremental update, reading only the
 * trailer, the classic xref tables and the few objects it changes (catalog, first page,
 * AcroForm).
 */
import {
  asDict,
  fail,
  lastStartxref,
  ObjectReader,
  type PdfDict,
  type PdfValue,
} from '#shared/adapters/signing/read-pdf-objects.ts';

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

/** Whether a field of the form, down through /Kids, is a signature field holding a signature. */
const hasSignedField = (reader: ObjectReader, fields: PdfValue[], depth = 0): boolean =>
  depth < 8 &&
  fields.some((field) => {
    const dict = reader.resolve(field);
    if (dict?.kind !== 'dict') return false;
    if (dict.entries.get('FT')?.raw === '/Sig' && dict.entries.has('V')) return true;
    return hasSignedField(reader, arrayItems(reader, dict.entries.get('Kids')), depth + 1);
  });

/**
 * ISO 32000-1 §12.8.2.2: P=1 forbids every change, further signatures included; P=2 allows
 * form fill-in and signing; P=3 also annotations. The agency certifies that nothing but later
 * signatures may follow, which is P=2 (our documents have no form to fill).
 */
const DOCMDP_PERMISSION = 2;

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
  /**
   * Make it a certification signature (DocMDP, P=2) when the PDF holds no signature yet; a
   * PDF already signed gets an approval signature, since only the first signature may certify.
   * @default false
   */
  certify?: boolean;
}

/** The PDF with its placeholder; `contents` is where the CMS hex goes, `byteRange` is filled. */
export interface PreparedSignature {
  pdf: Buffer;
  byteRange: [number, number, number, number];
  contents: { start: number; length: number };
  /** Present when the signature certifies the document. */
  certification?: { permission: typeof DOCMDP_PERMISSION };
}

const BYTE_RANGE_PLACEHOLDER = '0 ********** ********** **********';

const signatureDictionary = (
  fields: SignatureFields,
  certifies: boolean,
): { text: string; contentsAt: number } => {
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
    ...(certifies
      ? [
          `/Reference [<< /Type /SigRef /TransformMethod /DocMDP /TransformParams << /Type /TransformParams /P ${DOCMDP_PERMISSION} /V /1.2 >> >>]`,
        ]
      : []),
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
 * bytes, with /ByteRange filled and /Contents reserved as zeros. A certification also puts
 * /Perms /DocMDP in the new catalog version.
 * @throws UnsupportedPdfStructureError when the last xref section is not a classic table.
 */
export function appendSignaturePlaceholder(pdf: Buffer, fields: SignatureFields): PreparedSignature {
  const reader = new ObjectReader(pdf, lastStartxref(pdf));
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
  const perms = asDict(
    reader.resolve(catalog.entries.get('Perms')) ?? { kind: 'dict', entries: new Map(), raw: '' },
    'Perms',
  );
  const certifies =
    fields.certify === true && !perms.entries.has('DocMDP') && !hasSignedField(reader, existingFields);

  const newAcroForm = serializeDict(
    withEntries(acroForm, {
      Fields: `[${[...existingFields.map((f) => f.raw), widgetRef].join(' ')}]`,
      SigFlags: '3',
    }),
  );
  const annots = [...arrayItems(reader, page.dict.entries.get('Annots')).map((a) => a.raw), widgetRef];
  const signature = signatureDictionary(fields, certifies);
  const catalogChanges: Record<string, string> = {
    ...(acroFormValue?.kind === 'ref' ? {} : { AcroForm: newAcroForm }),
    ...(certifies ? { Perms: serializeDict(withEntries(perms, { DocMDP: `${sigNum} 0 R` })) } : {}),
  };
  const objects: [number, number, string][] = [
    [sigNum, 0, signature.text],
    [
      widgetNum,
      0,
      `<<\n/Type /Annot\n/Subtype /Widget\n/FT /Sig\n/F 132\n/Rect [0 0 0 0]\n/T (Signature${index})\n/V ${sigNum} 0 R\n/P ${page.ref.num} ${page.ref.gen} R\n>>`,
    ],
    [page.ref.num, page.ref.gen, serializeDict(withEntries(page.dict, { Annots: `[${annots.join(' ')}]` }))],
  ];
  if (acroFormValue?.kind === 'ref')
    objects.push([acroFormValue.num, reader.entry(acroFormValue.num).gen, newAcroForm]);
  if (Object.keys(catalogChanges).length > 0)
    objects.push([root.num, root.gen, serializeDict(withEntries(catalog, catalogChanges))]);

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
  return {
    pdf: output,
    byteRange,
    contents: { start: contentsAt + 1, length: fields.signatureLength * 2 },
    ...(certifies ? { certification: { permission: DOCMDP_PERMISSION } } : {}),
  };
}
