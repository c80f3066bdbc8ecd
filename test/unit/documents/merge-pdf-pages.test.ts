import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { describe, expect, it, vi } from 'vitest';
import { extractPdfText } from '#shared/adapters/documents/extract-pdf-text.ts';
import {
  ensureClassicXref,
  imagePageToPdf,
  mergePdfPages,
} from '#shared/adapters/documents/merge-pdf-pages.ts';
import { createLocalSignerDirectory } from '#shared/adapters/signing/local-signer-directory.ts';
import { createPadesPdfSigner } from '#shared/adapters/signing/sign-pdf-pades.ts';
import { verifyPdfSignatures } from '#shared/adapters/signing/verify-pdf-signatures.ts';
import { QuarantineError } from '#shared/domain/errors.ts';
import {
  makeTextLayerPdf,
  PAGE_HEIGHT_PX,
  PAGE_WIDTH_PX,
  renderPaperJpeg,
  renderPaperPng,
  samplePaper,
} from '#test/support/make-test-scans.ts';

const latin1 = (bytes: Uint8Array) => Buffer.from(bytes).toString('latin1');

/** A classic xref table starts with the `xref` keyword; a cross-reference stream has `/Type /XRef`. */
function expectClassicXref(pdf: Uint8Array): void {
  const text = latin1(pdf);
  expect(text).toMatch(/\nxref\n0 \d+\n/u);
  expect(text).not.toContain('/Type /XRef');
  expect(text).not.toContain('/Type /ObjStm');
}

describe('mergePdfPages', () => {
  it('concatenates one-page PDFs in order, with a classic xref table', async () => {
    const merged = await mergePdfPages([
      await makeTextLayerPdf(samplePaper('KS')),
      await makeTextLayerPdf(samplePaper('LLTP')),
    ]);
    expectClassicXref(merged);
    const { pages } = await extractPdfText(merged);
    expect(pages.map((page) => page.split('\n')[2])).toEqual(['GIẤY KHAI SINH', 'PHIẾU LÝ LỊCH TƯ PHÁP']);
  });

  it('refuses an empty list', async () => {
    await expect(mergePdfPages([])).rejects.toThrow('at least one page');
  });

  it('pulls pages from a lazy source one at a time, each copied before the next is read', async () => {
    const papers = ['KS', 'LLTP', 'GPXD'] as const;
    const pdfs = await Promise.all(papers.map((docType) => makeTextLayerPdf(samplePaper(docType))));
    const events: string[] = [];
    const original = PDFDocument.load.bind(PDFDocument);
    const load = vi.spyOn(PDFDocument, 'load').mockImplementation((...args) => {
      events.push('load');
      return original(...args);
    });
    try {
      const merged = await mergePdfPages(
        (async function* () {
          for (const [index, pdf] of pdfs.entries()) {
            events.push(`pull ${index + 1}`);
            yield pdf;
          }
        })(),
      );
      expect(events).toEqual(['pull 1', 'load', 'pull 2', 'load', 'pull 3', 'load']);
      const { pages } = await extractPdfText(merged);
      expect(pages.map((page) => page.split('\n')[2])).toEqual([
        'GIẤY KHAI SINH',
        'PHIẾU LÝ LỊCH TƯ PHÁP',
        'GIẤY PHÉP XÂY DỰNG',
      ]);
    } finally {
      load.mockRestore();
    }
  });

  it('stops pulling pages once they add up to more than the cap', async () => {
    const page = await makeTextLayerPdf(samplePaper('KS'));
    let pulled = 0;
    let closed = false;
    const source = (async function* () {
      try {
        for (let index = 0; index < 5; index++) {
          pulled++;
          yield page;
        }
      } finally {
        closed = true;
      }
    })();
    const error = await mergePdfPages(source, { maxTotalBytes: page.length * 1.5 }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(QuarantineError);
    expect(error).toMatchObject({ code: 'TOO_LARGE' });
    expect({ pulled, closed }).toEqual({ pulled: 2, closed: true });
  });
});

describe('ensureClassicXref', () => {
  it('re-saves a PDF that uses object streams with a classic xref table, keeping its text', async () => {
    const source = await PDFDocument.load(await makeTextLayerPdf(samplePaper('TTHN')));
    const compact = await source.save({ useObjectStreams: true });
    expect(latin1(compact)).toContain('/Type /XRef');
    const classic = await ensureClassicXref(compact);
    expectClassicXref(classic);
    const { pages } = await extractPdfText(classic);
    expect(pages[0]).toContain('GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN');
  });
});

describe('imagePageToPdf', () => {
  it('makes an A4 page from a 300-dpi JPEG or PNG scan, which the PAdES signer accepts', async () => {
    for (const image of [await renderPaperJpeg(samplePaper('KS')), await renderPaperPng(samplePaper('KS'))]) {
      const pdf = await imagePageToPdf(image, 300);
      const page = (await PDFDocument.load(pdf)).getPage(0);
      expect(page.getWidth()).toBeCloseTo((PAGE_WIDTH_PX * 72) / 300, 1);
      expect(page.getHeight()).toBeCloseTo((PAGE_HEIGHT_PX * 72) / 300, 1);

      const signers = createLocalSignerDirectory({
        directory: mkdtempSync(join(tmpdir(), 'image-pdf-')),
        keySpec: 'ECC_NIST_P256',
        identityFor: () => ({
          commonName: 'Sở Tư pháp tỉnh Mẫu',
          organisation: 'UBND tỉnh Mẫu',
          province: 'Tỉnh Mẫu',
          country: 'VN',
        }),
      });
      const signed = await createPadesPdfSigner().sign(pdf, await signers.forAgency('000.00.06.H99'), {
        reason: 'Số hóa',
        location: 'Tỉnh Mẫu',
        signedAt: new Date(),
      });
      expect((await verifyPdfSignatures(signed.pdf)).map((item) => item.valid)).toEqual([true]);
    }
  });
});
