import { loadPdfDocument } from '#shared/adapters/documents/load-pdf-document.ts';

/** Below this average number of letters per page, a PDF is treated as a scan without text. */
export const MIN_LETTERS_PER_PAGE = 20;

/** Text found in a PDF's text layer. */
export interface PdfText {
  /** NFC text of each page, lines separated by `\n`. */
  pages: string[];
  /** True when the pages carry meaningful text (≥ {@link MIN_LETTERS_PER_PAGE} letters per page on average). */
  hasTextLayer: boolean;
}

interface TextItemLike {
  str?: string;
  hasEOL?: boolean;
}

/** Reads the text layer of every page of a PDF with pdfjs-dist. */
export async function extractPdfText(pdf: Uint8Array): Promise<PdfText> {
  const { document, close } = await loadPdfDocument(pdf);
  try {
    const pages: string[] = [];
    for (let pageNumber = 1; pageNumber <= document.numPages; pageNumber++) {
      const page = await document.getPage(pageNumber);
      const content = await page.getTextContent();
      pages.push(joinTextItems(content.items as TextItemLike[]));
      page.cleanup();
    }
    return { pages, hasTextLayer: hasMeaningfulText(pages) };
  } finally {
    await close();
  }
}

function joinTextItems(items: readonly TextItemLike[]): string {
  let text = '';
  for (const item of items) {
    text += item.str ?? '';
    if (item.hasEOL) text += '\n';
  }
  return text
    .normalize('NFC')
    .split('\n')
    .map((line) => line.replace(/[ \t]+/gu, ' ').trim())
    .filter((line) => line.length > 0)
    .join('\n');
}

/** True when the pages hold, on average, at least {@link MIN_LETTERS_PER_PAGE} letters. */
export function hasMeaningfulText(pages: readonly string[]): boolean {
  if (pages.length === 0) return false;
  const letters = pages.reduce((sum, page) => sum + (page.match(/\p{L}/gu)?.length ?? 0), 0);
  return letters / pages.length >= MIN_LETTERS_PER_PAGE;
}
