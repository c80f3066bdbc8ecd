import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import type { SignerIdentity } from '#shared/adapters/signing/build-self-signed-certificate.ts';
import { lastStartxref, ObjectReader } from '#shared/adapters/signing/read-pdf-objects.ts';

const execFileAsync = promisify(execFile);

/** A Vietnamese identity whose names must survive encoding unchanged. */
export const SAMPLE_IDENTITY: SignerIdentity = {
  commonName: 'Sở Tư pháp tỉnh Mẫu',
  organisation: 'Ủy ban nhân dân tỉnh Mẫu',
  province: 'Tỉnh Mẫu',
  country: 'VN',
};

/** A one-page PDF as pdf-lib saves it (object streams and an xref stream unless told otherwise). */
export async function makeSamplePdf(options: { useObjectStreams?: boolean } = {}): Promise<Uint8Array> {
  const document = await PDFDocument.create();
  const page = document.addPage([595, 842]);
  const font = await document.embedFont(StandardFonts.Helvetica);
  page.drawText('GIAY KHAI SINH - sample page for signing tests', { x: 50, y: 780, size: 14, font });
  return document.save({ useObjectStreams: options.useObjectStreams ?? true });
}

/** Runs poppler's pdfsig on a PDF and returns its report (stdout), whatever its exit code. */
export async function runPdfsig(pdf: Uint8Array): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'motcua-pdfsig-'));
  try {
    const file = join(folder, 'signed.pdf');
    await writeFile(file, pdf);
    try {
      const { stdout } = await execFileAsync('/usr/bin/pdfsig', ['-nocert', file]);
      return stdout;
    } catch (error) {
      return String((error as { stdout?: string }).stdout ?? error);
    }
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

/** A copy of `pdf` with one byte changed at `offset`. */
export function flipByte(pdf: Uint8Array, offset: number): Uint8Array {
  const copy = Uint8Array.from(pdf);
  copy[offset] = (copy[offset] ?? 0) ^ 0x01;
  return copy;
}

/**
 * `pdf` with one more revision holding `objects` (object number → body, a stream included),
 * chained to the last by /Prev, as an editor saves incrementally. Reads the last trailer, so
 * the file must end with a classic xref table.
 */
export function appendIncrementalUpdate(pdf: Uint8Array, objects: Record<number, string>): Uint8Array {
  const base = Buffer.from(pdf);
  const startxref = lastStartxref(base);
  const { trailer } = new ObjectReader(base, startxref);
  const size = Math.max(
    Number(trailer.entries.get('Size')?.raw),
    ...Object.keys(objects).map((n) => Number(n) + 1),
  );
  let text = '';
  const rows: string[] = [];
  for (const [num, body] of Object.entries(objects)) {
    rows.push(`${num} 1\n${String(base.length + text.length).padStart(10, '0')} 00000 n\r\n`);
    text += `${num} 0 obj\n${body}\nendobj\n`;
  }
  const xrefAt = base.length + text.length;
  const kept = ['Root', 'Info', 'ID'].flatMap((key) => {
    const value = trailer.entries.get(key);
    return value ? [`/${key} ${value.raw}`] : [];
  });
  text += `xref\n${rows.join('')}trailer\n<< /Size ${size} ${kept.join(' ')} /Prev ${startxref} >>\nstartxref\n${xrefAt}\n%%EOF\n`;
  return Buffer.concat([base, Buffer.from(text, 'latin1')]);
}

/** The catalog and first page of the last revision: numbers and source text, for building updates. */
export function readLastRevision(pdf: Uint8Array): {
  catalog: { num: number; raw: string };
  page: { num: number; raw: string /** The first content stream. */; contents: number };
  size: number;
} {
  const base = Buffer.from(pdf);
  const reader = new ObjectReader(base, lastStartxref(base));
  const root = reader.trailer.entries.get('Root');
  if (root?.kind !== 'ref') throw new Error('no /Root');
  const catalog = reader.read(root.num);
  const pages = catalog.kind === 'dict' ? catalog.entries.get('Pages') : undefined;
  const pagesDict = pages?.kind === 'ref' ? reader.read(pages.num) : undefined;
  const kids = pagesDict?.kind === 'dict' ? reader.resolve(pagesDict.entries.get('Kids')) : undefined;
  const first = kids?.kind === 'array' ? kids.items[0] : undefined;
  if (first?.kind !== 'ref') throw new Error('no first page');
  const page = reader.read(first.num);
  const contents = reader.resolve(page.kind === 'dict' ? page.entries.get('Contents') : undefined);
  const stream = contents?.kind === 'array' ? contents.items[0] : undefined;
  if (stream?.kind !== 'ref') throw new Error('page /Contents is not an array of streams');
  return {
    catalog: { num: root.num, raw: catalog.raw },
    page: { num: first.num, raw: page.raw, contents: stream.num },
    size: Number(reader.trailer.entries.get('Size')?.raw),
  };
}
