import {
  decodePDFRawStream,
  PDFArray,
  PDFDict,
  PDFDocument,
  PDFHexString,
  PDFName,
  PDFRawStream,
  PDFString,
  PDFTextField,
} from 'pdf-lib';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { extractPdfText } from '#shared/adapters/documents/extract-pdf-text.ts';
import { renderPdfPages } from '#shared/adapters/documents/render-pages.ts';
import {
  ATTACHMENT_NAME,
  claimedLines,
  FORM_FIELD_NAME,
  HOSTILE_SCRIPT,
  makeAttachmentPdf,
  makeHiddenTextPdf,
  makeScriptedPdf,
} from '#test/support/make-hostile-pdfs.ts';
import { makeTextLayerPdf, samplePaper } from '#test/support/make-test-scans.ts';

const LIMITS = { dpi: 100, maxPixelsPerPage: 60_000_000 };

async function renderFirstPage(pdf: Uint8Array): Promise<Buffer> {
  for await (const page of renderPdfPages(pdf, LIMITS)) {
    return sharp(page.image).greyscale().raw().toBuffer();
  }
  throw new Error('no page rendered');
}

/** The JavaScript action a dictionary entry points to, or undefined. */
function scriptOf(document: PDFDocument, dict: PDFDict | undefined, key: string): string | undefined {
  const action = dict?.lookupMaybe(PDFName.of(key), PDFDict);
  if (action?.get(PDFName.of('S')) !== PDFName.of('JavaScript')) return undefined;
  return document.context.lookup(action.get(PDFName.of('JS')), PDFString, PDFHexString).decodeText();
}

describe('makeHiddenTextPdf', () => {
  const visible = samplePaper('KS');
  const claimed = samplePaper('LLTP');
  let pdf: Uint8Array;
  beforeAll(async () => {
    pdf = await makeHiddenTextPdf(visible, claimed);
  });

  it('puts the claimed title and owner ID in the text layer, ahead of the visible title', async () => {
    const [page = ''] = (await extractPdfText(pdf)).pages;
    for (const line of claimedLines(claimed)) expect(page).toContain(line);
    expect(page).toContain(visible.title);
    expect(page).toContain(visible.ownerId);
    expect(page.indexOf(claimed.title)).toBeLessThan(page.indexOf(visible.title));
  });

  it('writes the claim once in render mode 3 and once outside the MediaBox', async () => {
    const document = await PDFDocument.load(pdf);
    const page = document.getPage(0);
    const contents = page.node.Contents();
    expect(contents).toBeInstanceOf(PDFArray);
    const first = document.context.lookup((contents as PDFArray).get(0));
    expect(first).toBeInstanceOf(PDFRawStream);
    const operators = Buffer.from(decodePDFRawStream(first as PDFRawStream).decode()).toString('latin1');
    expect(operators).toMatch(/\b3 Tr\b/);
    const xs = [...operators.matchAll(/(-?[\d.]+) (-?[\d.]+) Tm/g)].map((match) => Number(match[1]));
    expect(xs.some((x) => x > page.getWidth())).toBe(true);
    expect(xs.some((x) => x < page.getWidth())).toBe(true);
  });

  it('renders exactly like the same paper without the hidden claim', async () => {
    const hostile = await renderFirstPage(pdf);
    const plain = await renderFirstPage(await makeTextLayerPdf(visible));
    expect(hostile.length).toBe(plain.length);
    expect(hostile.equals(plain)).toBe(true);
  });
});

describe('makeScriptedPdf', () => {
  it('runs a script on open (/OpenAction), on close (catalog /AA) and on page open (page /AA)', async () => {
    const document = await PDFDocument.load(await makeScriptedPdf());
    expect(scriptOf(document, document.catalog, 'OpenAction')).toBe(HOSTILE_SCRIPT);
    const catalogAa = document.catalog.lookup(PDFName.of('AA'), PDFDict);
    expect(scriptOf(document, catalogAa, 'WC')).toBe(HOSTILE_SCRIPT);
    const pageAa = document.getPage(0).node.lookup(PDFName.of('AA'), PDFDict);
    expect(scriptOf(document, pageAa, 'O')).toBe(HOSTILE_SCRIPT);
  });

  it('still shows its paper', async () => {
    const [page = ''] = (await extractPdfText(await makeScriptedPdf())).pages;
    expect(page).toContain(samplePaper('GPXD').title);
  });
});

describe('makeAttachmentPdf', () => {
  let document: PDFDocument;
  beforeAll(async () => {
    document = await PDFDocument.load(await makeAttachmentPdf(samplePaper('TTHN'), samplePaper('LLTP')));
  });

  it('attaches a file that claims another paper under /Names /EmbeddedFiles', () => {
    const embedded = document.catalog
      .lookup(PDFName.of('Names'), PDFDict)
      .lookup(PDFName.of('EmbeddedFiles'), PDFDict)
      .lookup(PDFName.of('Names'), PDFArray);
    expect(document.context.lookup(embedded.get(0), PDFString, PDFHexString).decodeText()).toBe(
      ATTACHMENT_NAME,
    );
    const spec = embedded.lookup(1, PDFDict);
    const file = spec.lookup(PDFName.of('EF'), PDFDict).lookup(PDFName.of('F'));
    expect(file).toBeInstanceOf(PDFRawStream);
    const text = Buffer.from(decodePDFRawStream(file as PDFRawStream).decode()).toString('utf8');
    expect(text).toBe(claimedLines(samplePaper('LLTP')).join('\n'));
  });

  it('has an AcroForm text field on its page', () => {
    const field = document.getForm().getField(FORM_FIELD_NAME);
    expect(field).toBeInstanceOf(PDFTextField);
    expect((field as PDFTextField).getText()).toBe('Ban sao');
    expect(document.catalog.lookup(PDFName.of('AcroForm'), PDFDict).has(PDFName.of('Fields'))).toBe(true);
    const annots = document.getPage(0).node.Annots();
    expect(annots?.size()).toBe(1);
  });
});
