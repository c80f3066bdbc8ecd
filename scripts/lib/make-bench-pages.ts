import { normaliseImagePages } from '#shared/adapters/documents/render-pages.ts';
import { NOISY_SCAN, renderPaperJpeg, SAMPLE_PAPERS, type TestPaper } from '#test/support/make-test-scans.ts';

/** One page of the benchmark: what is uploaded, and the image the pipeline's OCR step receives. */
export interface BenchPage {
  paper: TestPaper;
  noisy: boolean;
  /** The upload: an A4, 300-dpi greyscale JPEG. */
  jpeg: Uint8Array;
  /** The page image PreparePages makes of it (normaliseImagePages), which OcrPage recognises. */
  normalised: Uint8Array;
}

/**
 * `count` single-page uploads cycling through the sample papers, alternating clean and noisy
 * scans. Each distinct (paper, noise) pair is rendered and normalised once and reused.
 */
export async function makeBenchPages(count: number, maxPixelsPerPage: number): Promise<BenchPage[]> {
  const variants = new Map<string, Promise<BenchPage>>();
  const variant = (paper: TestPaper, noisy: boolean) => {
    const key = `${paper.name}/${noisy}`;
    let page = variants.get(key);
    if (!page) {
      page = renderVariant(paper, noisy, maxPixelsPerPage);
      variants.set(key, page);
    }
    return page;
  };
  const pages: BenchPage[] = [];
  for (let index = 0; index < count; index++) {
    const paper = SAMPLE_PAPERS[index % SAMPLE_PAPERS.length] as TestPaper;
    pages.push(await variant(paper, index % 2 === 1));
  }
  return pages;
}

async function renderVariant(paper: TestPaper, noisy: boolean, maxPixelsPerPage: number): Promise<BenchPage> {
  const jpeg = await renderPaperJpeg(paper, noisy ? NOISY_SCAN : {});
  let normalised: Uint8Array | undefined;
  for await (const page of normaliseImagePages(jpeg, 'image/jpeg', { maxPixelsPerPage })) {
    normalised ??= page.image;
  }
  if (!normalised) throw new Error(`normalising ${paper.name} gave no page`);
  return { paper, noisy, jpeg, normalised };
}
