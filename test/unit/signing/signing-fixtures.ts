import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import type { SignerIdentity } from '#shared/adapters/signing/build-self-signed-certificate.ts';

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
