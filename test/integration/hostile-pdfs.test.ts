import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PDFArray, PDFDict, PDFDocument, PDFName, PDFSignature, PDFStream, PDFTextField } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractPdfText } from '#shared/adapters/documents/extract-pdf-text.ts';
import { verifyPdfSignatures } from '#shared/adapters/signing/verify-pdf-signatures.ts';
import {
  ATTACHMENT_NAME,
  FORM_FIELD_NAME,
  makeAttachmentPdf,
  makeHiddenTextPdf,
  makeScriptedPdf,
} from '#test/support/make-hostile-pdfs.ts';
import { samplePaper } from '#test/support/make-test-scans.ts';
import { startTestBackOffice, type TestBackOffice } from '#test/support/start-test-back-office.ts';

const ACTIVE_KEYS = ['JavaScript', 'JS', 'OpenAction', 'AA', 'EmbeddedFiles', 'EmbeddedFile', 'Launch'];
const UPLOAD_TIMEOUT_MS = 180_000;

let office: TestBackOffice;

beforeAll(async () => {
  office = await startTestBackOffice();
});

afterAll(async () => {
  await office?.stop();
});

/** Every dictionary key or name value in the PDF that can run or carry something, with where it is. */
async function findActiveContent(pdf: Uint8Array): Promise<string[]> {
  const document = await PDFDocument.load(pdf);
  const found: string[] = [];
  const walk = (value: unknown, where: string, depth: number): void => {
    if (depth > 32) return;
    if (value instanceof PDFStream) walk(value.dict, where, depth + 1);
    else if (value instanceof PDFDict) {
      for (const [key, entry] of value.entries()) {
        if (ACTIVE_KEYS.includes(key.decodeText())) found.push(`${where} /${key.decodeText()}`);
        walk(entry, where, depth + 1);
      }
    } else if (value instanceof PDFArray) {
      for (const item of value.asArray()) walk(item, where, depth + 1);
    } else if (value instanceof PDFName && ACTIVE_KEYS.includes(value.decodeText())) {
      found.push(`${where} value /${value.decodeText()}`);
    }
  };
  for (const [ref, object] of document.context.enumerateIndirectObjects()) walk(object, ref.toString(), 0);
  return found;
}

/** Names and types of the AcroForm fields of a PDF. */
async function listFormFields(pdf: Uint8Array): Promise<{ name: string; type: string }[]> {
  const document = await PDFDocument.load(pdf);
  return document
    .getForm()
    .getFields()
    .map((field) => ({
      name: field.getName(),
      type: field instanceof PDFSignature ? 'signature' : field instanceof PDFTextField ? 'text' : 'other',
    }));
}

/** Checks the archived copy: signed, certified, valid for us and for pdfsig, and inert. */
async function expectInertCertifiedCopy(documentId: string): Promise<Uint8Array> {
  const { verification } = await office.api.getDocument(documentId, { verify: true });
  expect(verification).toEqual([
    expect.objectContaining({ valid: true, certification: { permission: 2, changesPermitted: true } }),
  ]);
  const signed = await office.downloadSigned(documentId);
  expect(await verifyPdfSignatures(signed)).toMatchObject([
    { valid: true, coversWholeDocument: true, certification: { permission: 2, changesPermitted: true } },
  ]);
  const path = join(office.dataDir, `${documentId}.pdf`);
  await writeFile(path, signed);
  const { stdout } = await promisify(execFile)('pdfsig', ['-nocert', path]);
  expect(stdout).toContain('Signature Validation: Signature is Valid.');
  expect(stdout).toContain('Total document signed');
  expect(await findActiveContent(signed)).toEqual([]);
  expect((await listFormFields(signed)).map((field) => field.type)).toEqual(['signature']);
  return signed;
}

describe('hostile PDFs on the embedded runtime', () => {
  it(
    'classifies a paper from what its page shows, never from invisible or off-page text',
    async () => {
      const visible = samplePaper('KS');
      const claimed = samplePaper('LLTP');
      const { document } = await office.uploadAndSettle(
        await makeHiddenTextPdf(visible, claimed),
        'application/pdf',
      );
      expect(document).toMatchObject({
        status: 'ARCHIVED',
        textSource: 'ocr',
        code: `${visible.ownerId}.KS.01`,
        classification: { docType: 'KS', ownerId: visible.ownerId, title: visible.title },
      });
      const signed = await expectInertCertifiedCopy(document.documentId);
      const text = (await extractPdfText(signed)).pages.join('\n');
      expect(text).toContain(visible.ownerId);
      expect(text).not.toContain(claimed.ownerId);
      expect(text).not.toContain(claimed.title);
    },
    UPLOAD_TIMEOUT_MS,
  );

  it(
    'archives a paper with JavaScript actions as a signed copy without any of them',
    async () => {
      const paper = samplePaper('GPXD');
      const upload = await makeScriptedPdf(paper);
      expect(await findActiveContent(upload)).not.toEqual([]);
      const { document } = await office.uploadAndSettle(upload, 'application/pdf');
      expect(document).toMatchObject({
        status: 'ARCHIVED',
        code: `${paper.ownerId}.GPXD.01`,
        classification: { docType: 'GPXD', ownerId: paper.ownerId },
      });
      await expectInertCertifiedCopy(document.documentId);
    },
    UPLOAD_TIMEOUT_MS,
  );

  it(
    'archives a paper with an attachment and a form field as a signed copy without either',
    async () => {
      const paper = samplePaper('TTHN');
      const upload = await makeAttachmentPdf(paper, samplePaper('LLTP'));
      expect(await listFormFields(upload)).toEqual([{ name: FORM_FIELD_NAME, type: 'text' }]);
      const { document } = await office.uploadAndSettle(upload, 'application/pdf');
      expect(document).toMatchObject({
        status: 'ARCHIVED',
        code: `${paper.ownerId}.TTHN.01`,
        classification: { docType: 'TTHN', ownerId: paper.ownerId },
      });
      const signed = await expectInertCertifiedCopy(document.documentId);
      const catalog = (await PDFDocument.load(signed)).catalog;
      expect(
        catalog.lookupMaybe(PDFName.of('Names'), PDFDict)?.has(PDFName.of('EmbeddedFiles')) ?? false,
      ).toBe(false);
      expect(Buffer.from(signed).includes(ATTACHMENT_NAME)).toBe(false);
      expect(Buffer.from(signed).includes(FORM_FIELD_NAME)).toBe(false);
    },
    UPLOAD_TIMEOUT_MS,
  );
});
