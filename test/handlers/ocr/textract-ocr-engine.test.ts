import { DetectDocumentTextCommand, TextractClient } from '@aws-sdk/client-textract';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createTextractOcrEngine } from '#shared/adapters/ocr/textract-ocr-engine.ts';

const textract = mockClient(TextractClient);
const engine = createTextractOcrEngine({ client: new TextractClient({ region: 'ap-southeast-1' }) });
const image = new Uint8Array([0xff, 0xd8, 0xff, 0xe0]);

afterEach(() => {
  textract.reset();
});

describe('createTextractOcrEngine', () => {
  it('sends the bytes to DetectDocumentText and joins the lines in reading order', async () => {
    textract.on(DetectDocumentTextCommand).resolves({
      Blocks: [
        { BlockType: 'PAGE', Confidence: 99 },
        { BlockType: 'LINE', Text: 'BIRTH CERTIFICATE', Confidence: 99 },
        { BlockType: 'WORD', Text: 'BIRTH', Confidence: 99 },
        { BlockType: 'LINE', Text: 'Name: Nguyen Thi Hong Nhung', Confidence: 91 },
        { BlockType: 'LINE', Text: 'ID: 038319001234', Confidence: 80 },
      ],
    });
    const result = await engine.recognize(image, { language: 'vie', wantPdf: true });
    expect(result).toEqual({
      text: 'BIRTH CERTIFICATE\nName: Nguyen Thi Hong Nhung\nID: 038319001234',
      confidence: 0.9,
    });
    expect(textract.commandCalls(DetectDocumentTextCommand)[0]?.args[0].input).toEqual({
      Document: { Bytes: image },
    });
  });

  it('returns empty text with zero confidence for a blank page', async () => {
    textract.on(DetectDocumentTextCommand).resolves({ Blocks: [{ BlockType: 'PAGE' }] });
    await expect(engine.recognize(image, { language: 'vie', wantPdf: false })).resolves.toEqual({
      text: '',
      confidence: 0,
    });
  });

  it('lets a service error propagate', async () => {
    textract.on(DetectDocumentTextCommand).rejects(new Error('UnsupportedDocumentException: bad page'));
    await expect(engine.recognize(image, { language: 'vie', wantPdf: false })).rejects.toThrow(
      'UnsupportedDocumentException',
    );
  });
});
