import { DetectDocumentTextCommand, type TextractClient } from '@aws-sdk/client-textract';
import type { OcrEngine, OcrResult } from '#shared/ports.ts';

/**
 * OCR with Amazon Textract (DetectDocumentText on the page bytes: JPEG, PNG, single-page PDF
 * or TIFF, at most 10 MB). Returns the LINE blocks in reading order, joined by newlines, and
 * their mean confidence / 100. It makes no searchable PDF.
 *
 * Textract has no Vietnamese: it reads English, Spanish, Italian, Portuguese, French and German
 * only, and drops Vietnamese diacritics. Use it only for papers in those languages; the
 * `language` option is therefore ignored.
 */
export function createTextractOcrEngine(options: { client: TextractClient }): OcrEngine {
  return {
    name: 'textract',
    async recognize(image): Promise<OcrResult> {
      const response = await options.client.send(
        new DetectDocumentTextCommand({ Document: { Bytes: image } }),
      );
      const lines = (response.Blocks ?? []).filter((block) => block.BlockType === 'LINE' && block.Text);
      const confidences = lines.map((line) => line.Confidence ?? 0);
      const mean = confidences.length
        ? confidences.reduce((sum, value) => sum + value, 0) / confidences.length
        : 0;
      return {
        text: lines
          .map((line) => line.Text ?? '')
          .join('\n')
          .normalize('NFC'),
        confidence: Math.min(1, Math.max(0, mean / 100)),
      };
    },
  };
}
