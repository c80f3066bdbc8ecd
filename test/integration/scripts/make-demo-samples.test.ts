import { describe, expect, it } from 'vitest';
import { extractPdfText } from '#shared/adapters/documents/extract-pdf-text.ts';
import { inspectUpload } from '#shared/adapters/documents/inspect-upload.ts';
import { loadProvinceConfig } from '#shared/config/load-province-config.ts';
import { makeDemoSamples } from '../../../scripts/lib/make-demo-samples.ts';

describe('makeDemoSamples', () => {
  it('makes one valid upload per form with the page count it expects, and one the validator rejects', async () => {
    const limits = loadProvinceConfig('config/provinces/sample-province.yaml').uploads;
    const samples = await makeDemoSamples();

    const inspected = await Promise.all(
      samples.map((sample) =>
        inspectUpload(
          sample.bytes,
          { mediaType: sample.mediaType, size: sample.bytes.byteLength },
          limits,
        ).then(
          (result) => ({ pages: result.pageCount, reason: undefined as string | undefined }),
          (error: { code?: string }) => ({ pages: 0, reason: error.code }),
        ),
      ),
    );
    const textLayers = await Promise.all(
      samples
        .filter((sample) => sample.mediaType === 'application/pdf' && sample.expected.status === 'ARCHIVED')
        .map(async (sample) => (await extractPdfText(sample.bytes)).hasTextLayer),
    );

    expect(samples.map((sample) => sample.mediaType)).toEqual([
      'image/png',
      'image/jpeg',
      'application/pdf',
      'application/pdf',
      'image/tiff',
      'application/pdf',
    ]);
    samples.forEach((sample, index) => {
      if (sample.expected.status === 'ARCHIVED')
        expect(inspected[index]?.pages).toBe(sample.expected.pageCount);
      else expect(inspected[index]?.reason).toBe(sample.expected.reason);
    });
    expect(textLayers).toEqual([false, true]);
  });
});
