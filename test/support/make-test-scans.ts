import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { createCanvas, GlobalFonts, type SKRSContext2D } from '@napi-rs/canvas';
import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, rgb } from 'pdf-lib';
import sharp, { type Sharp } from 'sharp';
import type { QuarantineReason } from '#shared/domain/errors.ts';

/** A realistic Vietnamese paper, as data: what the generator draws and what OCR should read back. */
export interface TestPaper {
  /** Short stable name, e.g. `birth-certificate`. */
  name: string;
  /** Document-type code of the sample province catalogue, e.g. `KS`. */
  docType: string;
  /** The owner's identifier printed on the paper (personal ID or tax code). */
  ownerId: string;
  /** The title line exactly as the province catalogue lists it. */
  title: string;
  /** Body lines, drawn below the title. */
  lines: string[];
}

/** How a page is degraded to look scanned. */
export interface ScanOptions {
  /** 0..1: strength of gaussian plus salt-and-pepper noise. @default 0 */
  noise?: number;
  /** Skew of the sheet on the scanner glass, in degrees. @default 0 */
  rotationDeg?: number;
}

/** A scanner's typical degradation: visible noise and a 1.5° skew. */
export const NOISY_SCAN: Readonly<ScanOptions> = { noise: 0.5, rotationDeg: 1.5 };

export const MOTTO_LINES = ['CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', 'Độc lập - Tự do - Hạnh phúc'] as const;

/** A4 at 300 dpi. */
export const PAGE_WIDTH_PX = 2480;
export const PAGE_HEIGHT_PX = 3508;
export const PAGE_DPI = 300;
const A4_POINTS = { width: 595.28, height: 841.89 } as const;
const MARGIN_PX = 220;
const BODY_PX = 46;
const TITLE_PX = 64;
const MOTTO_PX = 46;
const LINE_GAP = 1.6;

/** Papers of the sample province's catalogue, with structurally valid identifiers. */
export const SAMPLE_PAPERS: readonly TestPaper[] = [
  {
    name: 'birth-certificate',
    docType: 'KS',
    ownerId: '038319001234',
    title: 'GIẤY KHAI SINH',
    lines: [
      'Họ, chữ đệm, tên: NGUYỄN THỊ HỒNG NHUNG',
      'Ngày, tháng, năm sinh: 14/03/2019',
      'Giới tính: Nữ    Dân tộc: Kinh    Quốc tịch: Việt Nam',
      'Nơi sinh: Bệnh viện Đa khoa tỉnh Thanh Hóa',
      'Quê quán: xã Hoằng Lộc, huyện Hoằng Hóa, tỉnh Thanh Hóa',
      'Số định danh cá nhân: 038319001234',
      'Họ, chữ đệm, tên người mẹ: TRẦN THỊ THU HƯƠNG',
      'Năm sinh: 1992    Dân tộc: Kinh    Quốc tịch: Việt Nam',
      'Nơi cư trú: phường Điện Biên, thành phố Thanh Hóa',
      'Họ, chữ đệm, tên người cha: NGUYỄN VĂN ĐỨC',
      'Năm sinh: 1989    Dân tộc: Kinh    Quốc tịch: Việt Nam',
      'Nơi đăng ký khai sinh: Ủy ban nhân dân phường Điện Biên',
      'Ngày, tháng, năm đăng ký: 20/03/2019',
    ],
  },
  {
    name: 'business-registration',
    docType: 'DKDN',
    ownerId: '0314409058',
    title: 'GIẤY CHỨNG NHẬN ĐĂNG KÝ DOANH NGHIỆP',
    lines: [
      'CÔNG TY TRÁCH NHIỆM HỮU HẠN HAI THÀNH VIÊN TRỞ LÊN',
      'Mã số doanh nghiệp: 0314409058',
      'Đăng ký lần đầu: ngày 12 tháng 05 năm 2017',
      'Tên công ty viết bằng tiếng Việt:',
      'CÔNG TY TNHH THƯƠNG MẠI DỊCH VỤ HOÀNG PHÁT',
      'Địa chỉ trụ sở chính: số 25 đường Lê Lợi, phường Bến Nghé,',
      'Quận 1, Thành phố Hồ Chí Minh, Việt Nam',
      'Vốn điều lệ: 5.000.000.000 đồng',
      'Người đại diện theo pháp luật của công ty:',
      'Họ và tên: LÊ MINH TUẤN    Giới tính: Nam',
      'Chức danh: Giám đốc',
      'Số định danh cá nhân: 001085012345',
    ],
  },
  {
    name: 'judicial-record',
    docType: 'LLTP',
    ownerId: '079190004321',
    title: 'PHIẾU LÝ LỊCH TƯ PHÁP',
    lines: [
      'Số: 1524/STP-LLTP',
      'Họ và tên: PHẠM THỊ NGỌC ÁNH    Giới tính: Nữ',
      'Ngày, tháng, năm sinh: 08/11/1990',
      'Nơi sinh: Thành phố Hồ Chí Minh',
      'Quốc tịch: Việt Nam',
      'Nơi cư trú: số 18 đường Nguyễn Trãi, phường Bến Thành',
      'Số định danh cá nhân: 079190004321',
      'Tình trạng án tích: Không có án tích',
      'Thông tin về việc cấm đảm nhiệm chức vụ, thành lập,',
      'quản lý doanh nghiệp, hợp tác xã: Không bị cấm',
    ],
  },
  {
    name: 'marital-status',
    docType: 'TTHN',
    ownerId: '001195006789',
    title: 'GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN',
    lines: [
      'Ủy ban nhân dân phường Hoàn Kiếm, thành phố Hà Nội xác nhận:',
      'Họ, chữ đệm, tên: ĐỖ THỊ LAN PHƯƠNG',
      'Ngày, tháng, năm sinh: 21/06/1995    Giới tính: Nữ',
      'Dân tộc: Kinh    Quốc tịch: Việt Nam',
      'Số định danh cá nhân: 001195006789',
      'Nơi cư trú: số 7 phố Hàng Bài, phường Hoàn Kiếm, Hà Nội',
      'Trong thời gian cư trú tại phường Hoàn Kiếm,',
      'từ ngày 01/01/2013 đến nay',
      'Tình trạng hôn nhân: Hiện tại chưa đăng ký kết hôn với ai.',
      'Giấy này được cấp để làm thủ tục đăng ký kết hôn.',
    ],
  },
  {
    name: 'building-permit',
    docType: 'GPXD',
    ownerId: '040088007777',
    title: 'GIẤY PHÉP XÂY DỰNG',
    lines: [
      'Số: 215/GPXD',
      'Cấp cho: ông HỒ SỸ QUYẾT',
      'Số định danh cá nhân: 040088007777',
      'Địa chỉ: xóm 3, xã Nghi Phú, thành phố Vinh, tỉnh Nghệ An',
      'Được phép xây dựng công trình: nhà ở riêng lẻ',
      'Theo thiết kế: do Công ty Cổ phần Tư vấn Thiết kế Sông Lam lập',
      'Vị trí xây dựng: thửa đất số 118, tờ bản đồ số 09',
      'Diện tích xây dựng tầng 1: 96,5 m²',
      'Tổng diện tích sàn: 289,5 m²    Số tầng: 03',
      'Chiều cao công trình: 11,8 m',
      'Giấy phép có hiệu lực khởi công trong thời hạn 12 tháng.',
    ],
  },
];

/** Finds a sample paper by document-type code. */
export function samplePaper(docType: string): TestPaper {
  const paper = SAMPLE_PAPERS.find((candidate) => candidate.docType === docType);
  if (!paper) throw new Error(`no sample paper of type ${docType}`);
  return paper;
}

/** Every line of the paper, in reading order, as the OCR should return it. */
export function paperText(paper: TestPaper): string {
  return [...MOTTO_LINES, paper.title, ...paper.lines].join('\n');
}

const require = createRequire(import.meta.url);
/** Directory of the DejaVu TTF files shipped by the `dejavu-fonts-ttf` package. */
export const DEJAVU_DIR = join(dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
const SERIF = 'DejaVu Serif';
let fontsRegistered = false;

function registerFonts(): void {
  if (fontsRegistered) return;
  GlobalFonts.registerFromPath(join(DEJAVU_DIR, 'DejaVuSerif.ttf'), SERIF);
  GlobalFonts.registerFromPath(join(DEJAVU_DIR, 'DejaVuSerif-Bold.ttf'), SERIF);
  fontsRegistered = true;
}

function drawPaper(ctx: SKRSContext2D, paper: TestPaper): void {
  ctx.fillStyle = '#000000';
  ctx.textBaseline = 'alphabetic';
  let y = MARGIN_PX;
  const centred = (text: string, px: number, bold: boolean) => {
    ctx.font = `${bold ? 'bold ' : ''}${px}px "${SERIF}"`;
    ctx.textAlign = 'center';
    y += px * LINE_GAP;
    ctx.fillText(text, PAGE_WIDTH_PX / 2, y);
  };
  centred(MOTTO_LINES[0], MOTTO_PX, true);
  centred(MOTTO_LINES[1], MOTTO_PX, false);
  y += BODY_PX * 2;
  centred(paper.title, TITLE_PX, true);
  y += BODY_PX;
  ctx.font = `${BODY_PX}px "${SERIF}"`;
  ctx.textAlign = 'left';
  for (const line of paper.lines) {
    y += BODY_PX * LINE_GAP * 1.15;
    ctx.fillText(line, MARGIN_PX, y);
  }
}

/** Deterministic PRNG so that a given paper and options always give the same scan. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
}

function addNoise(grey: Uint8Array, noise: number, random: () => number): void {
  const sigma = 40 * noise;
  const speckle = 0.004 * noise;
  for (let index = 0; index < grey.length; index++) {
    const roll = random();
    if (roll < speckle / 2) grey[index] = 0;
    else if (roll < speckle) grey[index] = 255;
    else {
      // Sum of three uniforms: close enough to a gaussian, and cheap.
      const gaussian = (random() + random() + random() - 1.5) * 2;
      const value = (grey[index] ?? 255) + gaussian * sigma;
      grey[index] = Math.max(0, Math.min(255, value));
    }
  }
}

async function renderGrey(paper: TestPaper, options: ScanOptions): Promise<Uint8Array> {
  registerFonts();
  const canvas = createCanvas(PAGE_WIDTH_PX, PAGE_HEIGHT_PX);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, PAGE_WIDTH_PX, PAGE_HEIGHT_PX);
  if (options.rotationDeg) {
    ctx.translate(PAGE_WIDTH_PX / 2, PAGE_HEIGHT_PX / 2);
    ctx.rotate((options.rotationDeg * Math.PI) / 180);
    ctx.translate(-PAGE_WIDTH_PX / 2, -PAGE_HEIGHT_PX / 2);
  }
  drawPaper(ctx, paper);
  const rgba = ctx.getImageData(0, 0, PAGE_WIDTH_PX, PAGE_HEIGHT_PX).data;
  const grey = new Uint8Array(PAGE_WIDTH_PX * PAGE_HEIGHT_PX);
  for (let index = 0; index < grey.length; index++) grey[index] = rgba[index * 4 + 1] ?? 255;
  if (options.noise)
    addNoise(grey, options.noise, seededRandom(paper.name.length * 7919 + paper.lines.length));
  return grey;
}

function greySharp(grey: Uint8Array): Sharp {
  return sharp(grey, { raw: { width: PAGE_WIDTH_PX, height: PAGE_HEIGHT_PX, channels: 1 } });
}

/** Renders a paper as an A4, 300-dpi, 8-bit greyscale PNG. */
export async function renderPaperPng(paper: TestPaper, options: ScanOptions = {}): Promise<Buffer> {
  return greySharp(await renderGrey(paper, options))
    .withMetadata({ density: PAGE_DPI })
    .png({ compressionLevel: 6 })
    .toBuffer();
}

/** Renders a paper as an A4, 300-dpi greyscale JPEG. */
export async function renderPaperJpeg(
  paper: TestPaper,
  options: ScanOptions & { quality?: number } = {},
): Promise<Buffer> {
  return greySharp(await renderGrey(paper, options))
    .withMetadata({ density: PAGE_DPI })
    .jpeg({ quality: options.quality ?? 85 })
    .toBuffer();
}

/**
 * A paper scanned the wrong way round: rendered as a greyscale JPEG (A4, 300 dpi), then turned
 * clockwise by `degrees` (180: fed upside-down; 90 or 270: sideways, a landscape image).
 */
export async function renderTurnedPaperJpeg(
  paper: TestPaper,
  degrees: 90 | 180 | 270,
  options: ScanOptions & { quality?: number } = {},
): Promise<Buffer> {
  return sharp(await renderPaperJpeg(paper, options))
    .rotate(degrees)
    .withMetadata({ density: PAGE_DPI })
    .jpeg({ quality: options.quality ?? 85 })
    .toBuffer();
}

/** Renders papers as one multi-page TIFF (one page per paper, deflate-compressed). */
export async function renderPaperTiff(
  papers: TestPaper | readonly TestPaper[],
  options: ScanOptions = {},
): Promise<Buffer> {
  const list = Array.isArray(papers) ? papers : [papers as TestPaper];
  const pages = await Promise.all(list.map((paper) => renderGrey(paper, options)));
  const stacked = new Uint8Array(PAGE_WIDTH_PX * PAGE_HEIGHT_PX * pages.length);
  pages.forEach((page, index) => {
    stacked.set(page, index * page.length);
  });
  return sharp(stacked, {
    raw: {
      width: PAGE_WIDTH_PX,
      height: PAGE_HEIGHT_PX * pages.length,
      channels: 1,
      pageHeight: PAGE_HEIGHT_PX,
    },
  })
    .tiff({ compression: 'deflate', xres: PAGE_DPI / 25.4, yres: PAGE_DPI / 25.4 })
    .toBuffer();
}

/**
 * A scanned PDF without a text layer: one A4 page per paper (rendered as a JPEG) or per image
 * given (JPEG bytes).
 */
export async function makeScannedPdf(
  papersOrPages: readonly (TestPaper | Uint8Array)[],
  options: ScanOptions = {},
): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  for (const item of papersOrPages) {
    const jpeg = item instanceof Uint8Array ? item : await renderPaperJpeg(item, options);
    const image = await pdf.embedJpg(jpeg);
    const page = pdf.addPage([A4_POINTS.width, A4_POINTS.height]);
    page.drawImage(image, { x: 0, y: 0, width: A4_POINTS.width, height: A4_POINTS.height });
  }
  return pdf.save({ useObjectStreams: false });
}

/** A born-digital PDF: the paper's text with an embedded DejaVu Serif font (a real text layer). */
export async function makeTextLayerPdf(paper: TestPaper): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  pdf.registerFontkit(fontkit);
  const regular = await pdf.embedFont(await readFile(join(DEJAVU_DIR, 'DejaVuSerif.ttf')), { subset: true });
  const bold = await pdf.embedFont(await readFile(join(DEJAVU_DIR, 'DejaVuSerif-Bold.ttf')), {
    subset: true,
  });
  const page = pdf.addPage([A4_POINTS.width, A4_POINTS.height]);
  const black = rgb(0, 0, 0);
  let y = A4_POINTS.height - 60;
  const centred = (text: string, size: number, font: typeof regular) => {
    y -= size * LINE_GAP;
    const width = font.widthOfTextAtSize(text, size);
    page.drawText(text, { x: (A4_POINTS.width - width) / 2, y, size, font, color: black });
  };
  centred(MOTTO_LINES[0], 11, bold);
  centred(MOTTO_LINES[1], 11, regular);
  y -= 20;
  centred(paper.title, 15, bold);
  y -= 10;
  for (const line of paper.lines) {
    y -= 11 * LINE_GAP * 1.15;
    page.drawText(line, { x: 53, y, size: 11, font: regular, color: black });
  }
  return pdf.save({ useObjectStreams: false });
}

/** A PDF of `pageCount` blank A4 pages. */
export async function makeBlankPdf(pageCount: number): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  for (let index = 0; index < pageCount; index++) pdf.addPage([A4_POINTS.width, A4_POINTS.height]);
  return pdf.save({ useObjectStreams: false });
}

/** Exactly `size` bytes that start like a PDF (header, then padding): enough to exceed a size limit. */
export function makePaddedPdf(size: number): Uint8Array {
  const bytes = new Uint8Array(size).fill(0x20);
  bytes.set(new TextEncoder().encode('%PDF-1.7\n%\u00e2\u00e3\n').subarray(0, size));
  return bytes;
}

function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const chunk = new Uint8Array(12 + data.length);
  const view = new DataView(chunk.buffer);
  view.setUint32(0, data.length);
  chunk.set(new TextEncoder().encode(type), 4);
  chunk.set(data, 8);
  view.setUint32(8 + data.length, crc32(chunk.subarray(4, 8 + data.length)));
  return chunk;
}

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/**
 * A valid, all-white 1-bit PNG whose header declares `side`×`side` pixels: tens of kilobytes on
 * disk, `side`² pixels once decoded (a decompression bomb).
 */
export function makeDecompressionBombPng(side = 20_000): Uint8Array {
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, side);
  view.setUint32(4, side);
  header.set([1, 0, 0, 0, 0], 8); // bit depth 1, greyscale, deflate, adaptive filter, no interlace
  const rowBytes = 1 + Math.ceil(side / 8);
  const raw = new Uint8Array(rowBytes * side).fill(0xff);
  for (let row = 0; row < side; row++) raw[row * rowBytes] = 0; // filter type None
  const signature = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const parts = [
    signature,
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(raw, { level: 9 })),
    pngChunk('IEND', new Uint8Array()),
  ];
  return Buffer.concat(parts);
}

/** An upload the pipeline must quarantine, with the reason it must give. */
export interface BadInput {
  bytes: Uint8Array;
  /** The media type the uploader declares. */
  mediaType: string;
  /** The size the uploader declares (the real size unless the case is about a mismatch). */
  declaredSize: number;
  reason: QuarantineReason;
}

/** Names of the bad inputs {@link makeBadInputs} returns. */
export type BadInputName =
  | 'empty'
  | 'sizeMismatch'
  | 'truncatedPdf'
  | 'wrongMagic'
  | 'mismatchedType'
  | 'corruptImage'
  | 'oversize'
  | 'tooManyPages'
  | 'decompressionBomb';

/**
 * Limits under which every bad input fails for its own reason (they equal the sample
 * province's defaults, except a 25-MiB size cap made explicit).
 */
export const BAD_INPUT_LIMITS = {
  maxBytes: 25 * 1024 ** 2,
  maxPages: 100,
  maxPixelsPerPage: 60_000_000,
} as const;

/**
 * One upload per quarantine reason the validator can give.
 * `oversizeBytes` sizes the oversize case: by default one byte over {@link BAD_INPUT_LIMITS}.maxBytes;
 * pass a smaller number when the caller runs with a smaller `maxBytes`.
 */
export async function makeBadInputs(
  options: { oversizeBytes?: number } = {},
): Promise<Record<BadInputName, BadInput>> {
  const valid = await makeScannedPdf([samplePaper('KS')]);
  const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#ffffff' } })
    .png()
    .toBuffer();
  const jpeg = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#808080' } })
    .jpeg()
    .toBuffer();
  const randomBytes = new Uint8Array(4096).map((_, index) => (index * 2654435761) >>> 24);
  const truncatedPdf = valid.subarray(0, Math.floor(valid.length / 2));
  const corruptImage = jpeg.subarray(0, 200);
  const oversize = makePaddedPdf(options.oversizeBytes ?? BAD_INPUT_LIMITS.maxBytes + 1);
  const tooManyPages = await makeBlankPdf(BAD_INPUT_LIMITS.maxPages + 1);
  const bomb = makeDecompressionBombPng();
  const item = (bytes: Uint8Array, mediaType: string, reason: QuarantineReason): BadInput => ({
    bytes,
    mediaType,
    declaredSize: bytes.length,
    reason,
  });
  return {
    empty: item(new Uint8Array(), 'application/pdf', 'EMPTY_FILE'),
    sizeMismatch: { ...item(valid, 'application/pdf', 'SIZE_MISMATCH'), declaredSize: valid.length + 1 },
    truncatedPdf: item(truncatedPdf, 'application/pdf', 'CORRUPT_FILE'),
    wrongMagic: item(randomBytes, 'image/jpeg', 'UNSUPPORTED_MEDIA_TYPE'),
    mismatchedType: item(png, 'application/pdf', 'MEDIA_TYPE_MISMATCH'),
    corruptImage: item(corruptImage, 'image/jpeg', 'CORRUPT_FILE'),
    oversize: item(oversize, 'application/pdf', 'TOO_LARGE'),
    tooManyPages: item(tooManyPages, 'application/pdf', 'TOO_MANY_PAGES'),
    decompressionBomb: item(bomb, 'image/png', 'TOO_MANY_PIXELS'),
  };
}

/** Levenshtein distance between two strings, by code point. */
export function editDistance(a: string, b: string): number {
  const left = [...a];
  const right = [...b];
  let previous = Array.from({ length: right.length + 1 }, (_, index) => index);
  for (let i = 1; i <= left.length; i++) {
    const current = [i];
    for (let j = 1; j <= right.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (left[i - 1] === right[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    previous = current;
  }
  return previous[right.length] ?? 0;
}

/** Character error rate of `actual` against `expected`, after NFC and whitespace normalisation. */
export function characterErrorRate(expected: string, actual: string): number {
  const normalise = (text: string) => text.normalize('NFC').replace(/\s+/gu, ' ').trim();
  const reference = normalise(expected);
  return editDistance(reference, normalise(actual)) / Math.max(1, [...reference].length);
}
