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

interface TextItemLike {
  str?: string;
  transform?: number[];
  width?: number;
  height?: number;
}

interface Baseline {
  x: number;
  y: number;
  /** Unit vector of the writing direction. */
  dx: number;
  dy: number;
  width: number;
  size: number;
}

/**
 * Joins pdfjs text items into lines by geometry rather than by pdfjs' end-of-line flags: OCR
 * text layers (Tesseract's) write each word on its own skewed baseline, which pdfjs reports as
 * one line per word. An item continues the line when it starts near where the previous item
 * ends, along the previous item's writing direction.
 */
function joinTextItems(items: readonly TextItemLike[]): string {
  const lines: string[] = [];
  let line = '';
  let previous: Baseline | undefined;
  let pendingSpace = false;
  for (const item of items) {
    const text = item.str ?? '';
    if (text.trim() === '') {
      pendingSpace ||= text.length > 0;
      continue;
    }
    const current = baselineOf(item);
    if (!previous) line = text;
    else {
      const vx = current.x - (previous.x + previous.dx * previous.width);
      const vy = current.y - (previous.y + previous.dy * previous.width);
      const along = vx * previous.dx + vy * previous.dy;
      const across = vy * previous.dx - vx * previous.dy;
      const sameLine =
        Math.abs(across) < previous.size * 0.5 && along > -previous.size && along < previous.size * 8;
      if (sameLine)
        line += (pendingSpace || along > previous.size * 0.15) && !line.endsWith(' ') ? ` ${text}` : text;
      else {
        lines.push(line);
        line = text;
      }
    }
    previous = current;
    pendingSpace = /\s$/u.test(text);
  }
  if (line) lines.push(line);
  return lines
    .map((entry) => entry.normalize('NFC').replace(/\s+/gu, ' ').trim())
    .filter((entry) => entry.length > 0)
    .join('\n');
}

function baselineOf(item: TextItemLike): Baseline {
  const [a = 1, b = 0, c = 0, d = 1, x = 0, y = 0] = item.transform ?? [];
  const scale = Math.hypot(a, b) || 1;
  return {
    x,
    y,
    dx: a / scale,
    dy: b / scale,
    width: item.width ?? 0,
    size: Math.hypot(c, d) || item.height || 1,
  };
}

/** True when the pages hold, on average, at least {@link MIN_LETTERS_PER_PAGE} letters. */
export function hasMeaningfulText(pages: readonly string[]): boolean {
  if (pages.length === 0) return false;
  const letters = pages.reduce((sum, page) => sum + (page.match(/\p{L}/gu)?.length ?? 0), 0);
  return letters / pages.length >= MIN_LETTERS_PER_PAGE;
}
