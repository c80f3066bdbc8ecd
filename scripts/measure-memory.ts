/**
 * `npm run measure:memory`: peak resident memory (maxRSS) of the pipeline's memory-heavy steps on
 * the largest uploads a province configuration accepts, each step alone in a fresh child process.
 *
 *   npm run measure:memory -- [--config config/provinces/sample-province.yaml] [--steps a,b,…]
 *                             [--inputs folder-kept-between-runs] [--list]
 *
 * Inputs, written to a temporary folder first: a scanned PDF and a TIFF of `maxPages` A4 300-dpi
 * pages just under `maxBytes`, a JPEG and a PNG of `maxPixelsPerPage` pixels, and the one-page
 * searchable PDFs OCR makes of `maxPages` pages. Uploads are read as S3 bodies arrive, in 64-KiB chunks.
 * `…-whole` steps repeat what the pipeline did before streaming (the whole object in memory, all
 * pages fetched at once); `validate-pdf-kept` keeps the PDF for the caller (a copy more); `…-cap` steps show the bounds that hold for any `maxBytes`: a PDF of
 * `maxInMemoryPdfBytes`, page PDFs adding up to it, and a TIFF far over the sample's size limit.
 * `baseline` loads the same modules and does nothing.
 */
import { fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { PDFDocument } from 'pdf-lib';
import sharp from 'sharp';
import { extractPdfText } from '#shared/adapters/documents/extract-pdf-text.ts';
import { inspectUpload } from '#shared/adapters/documents/inspect-upload.ts';
import {
  inspectUploadStream,
  type StreamedUploadLimits,
} from '#shared/adapters/documents/inspect-upload-stream.ts';
import {
  ensureClassicXref,
  imagePageToPdf,
  mergePdfPages,
} from '#shared/adapters/documents/merge-pdf-pages.ts';
import { normaliseImagePages, renderPdfPages } from '#shared/adapters/documents/render-pages.ts';
import { createLocalSignerDirectory } from '#shared/adapters/signing/local-signer-directory.ts';
import { createPadesPdfSigner } from '#shared/adapters/signing/sign-pdf-pades.ts';
import { loadProvinceConfig } from '#shared/config/load-province-config.ts';
import type { ProvinceConfig } from '#shared/config/province-config.ts';
import type { ScanOptions, TestPaper } from '#test/support/make-test-scans.ts';

const MiB = 1024 ** 2;
/** S3 GetObject bodies arrive in pieces of at most this size (Node's default socket buffer). */
const CHUNK_BYTES = 64 * 1024;
const A4_POINTS = { width: 595.28, height: 841.89 } as const;

/** The files a step reads, all in one folder. */
interface Inputs {
  pdf: string;
  tiff: string;
  jpeg: string;
  png: string;
  pages: string;
  pdfCap: string;
  pagesCap: string;
  tiffLarge: string;
  /** The local signing key's folder. */
  keys: string;
  /** Base64 SHA-256 of each upload, as its uploader declares it. */
  sha256: Record<string, string>;
}

/** What a child process reports. */
interface StepReport {
  step: string;
  maxRssMiB: number;
  seconds: number;
  note: string;
}

interface Step {
  /** The Lambda function whose work the step repeats. */
  fn: 'ValidateUpload' | 'PreparePages' | 'SignDocument' | '-';
  run(inputs: Inputs, config: ProvinceConfig): Promise<string>;
}

const uploadLimits = (config: ProvinceConfig): StreamedUploadLimits => config.uploads;
/** Limits of a configuration whose size limit is not what stops a large upload. */
const unboundedLimits = (config: ProvinceConfig): StreamedUploadLimits => ({
  ...config.uploads,
  maxBytes: 5 * 1024 ** 3,
});

const chunksOf = (path: string): AsyncIterable<Uint8Array> =>
  createReadStream(path, { highWaterMark: CHUNK_BYTES });

/** What `objects.get` did: every chunk collected, then concatenated. */
async function readWhole(path: string): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of chunksOf(path)) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of chunksOf(path)) hash.update(chunk);
  return hash.digest('base64');
}

async function validateStreamed(
  path: string,
  mediaType: string,
  inputs: Inputs,
  limits: StreamedUploadLimits,
  keepPdf = false,
): Promise<string> {
  const declared = { mediaType, size: (await stat(path)).size, sha256Base64: inputs.sha256[path] };
  const result = await inspectUploadStream(chunksOf(path), declared, limits, { keepPdf });
  return `${result.pageCount} page(s), ${mebibytes(result.size)} MiB`;
}

async function validateWhole(path: string, mediaType: string, limits: StreamedUploadLimits) {
  const bytes = await readWhole(path);
  const result = await inspectUpload(bytes, { mediaType, size: bytes.length }, limits);
  createHash('sha256').update(bytes).digest('base64');
  return `${result.pageCount} page(s), ${mebibytes(bytes.length)} MiB`;
}

async function* pagePdfs(folder: string, count: number): AsyncIterable<Uint8Array> {
  for (let page = 1; page <= count; page++) yield await readFile(join(folder, pageName(page)));
}

const AGENCY_ID = '000.00.06.H99';

/** A local key, made with the inputs so that no step pays for generating it. */
const signersOf = (keys: string) =>
  createLocalSignerDirectory({
    directory: keys,
    keySpec: 'RSA_2048',
    identityFor: () => ({
      commonName: 'Sở Tư pháp tỉnh Mẫu',
      organisation: 'UBND tỉnh Mẫu',
      province: 'Tỉnh Mẫu',
      country: 'VN',
    }),
  });

async function signWith(pdf: Uint8Array, keys: string): Promise<number> {
  const signer = await signersOf(keys).forAgency(AGENCY_ID);
  const signed = await createPadesPdfSigner().sign(pdf, signer, {
    reason: 'Số hóa giấy tờ',
    location: 'Tỉnh Mẫu',
    signedAt: new Date(),
  });
  return signed.pdf.byteLength;
}

async function signPagesLazily(folder: string, inputs: Inputs, config: ProvinceConfig): Promise<string> {
  const merged = await mergePdfPages(pagePdfs(folder, config.uploads.maxPages), {
    maxTotalBytes: config.uploads.maxInMemoryPdfBytes,
  });
  return `signed ${mebibytes(await signWith(merged, inputs.keys))} MiB`;
}

const STEPS: Record<string, Step> = {
  baseline: { fn: '-', run: async () => 'modules loaded' },
  'validate-pdf': {
    fn: 'ValidateUpload',
    run: (inputs, config) => validateStreamed(inputs.pdf, 'application/pdf', inputs, uploadLimits(config)),
  },
  'validate-pdf-kept': {
    fn: 'ValidateUpload',
    run: (inputs, config) =>
      validateStreamed(inputs.pdf, 'application/pdf', inputs, uploadLimits(config), true),
  },
  'validate-pdf-whole': {
    fn: 'ValidateUpload',
    run: (inputs, config) => validateWhole(inputs.pdf, 'application/pdf', uploadLimits(config)),
  },
  'validate-tiff': {
    fn: 'ValidateUpload',
    run: (inputs, config) => validateStreamed(inputs.tiff, 'image/tiff', inputs, uploadLimits(config)),
  },
  'validate-tiff-whole': {
    fn: 'ValidateUpload',
    run: (inputs, config) => validateWhole(inputs.tiff, 'image/tiff', uploadLimits(config)),
  },
  'validate-jpeg': {
    fn: 'ValidateUpload',
    run: (inputs, config) => validateStreamed(inputs.jpeg, 'image/jpeg', inputs, uploadLimits(config)),
  },
  'validate-jpeg-whole': {
    fn: 'ValidateUpload',
    run: (inputs, config) => validateWhole(inputs.jpeg, 'image/jpeg', uploadLimits(config)),
  },
  'validate-png': {
    fn: 'ValidateUpload',
    run: (inputs, config) => validateStreamed(inputs.png, 'image/png', inputs, uploadLimits(config)),
  },
  'prepare-pdf': {
    fn: 'PreparePages',
    async run(inputs, config) {
      const bytes = await readWhole(inputs.pdf);
      const text = await extractPdfText(bytes);
      let pages = 0;
      for await (const _ of renderPdfPages(bytes, {
        dpi: config.ocr.dpi,
        maxPixelsPerPage: config.uploads.maxPixelsPerPage,
      }))
        pages++;
      return `${pages} page(s) rendered at ${config.ocr.dpi} dpi, text layer ${text.hasTextLayer}`;
    },
  },
  'prepare-tiff': {
    fn: 'PreparePages',
    run: (inputs, config) => normaliseAll(inputs.tiff, 'image/tiff', config),
  },
  'prepare-jpeg': {
    fn: 'PreparePages',
    run: (inputs, config) => normaliseAll(inputs.jpeg, 'image/jpeg', config),
  },
  'prepare-png': {
    fn: 'PreparePages',
    run: (inputs, config) => normaliseAll(inputs.png, 'image/png', config),
  },
  'sign-pages': {
    fn: 'SignDocument',
    run: (inputs, config) => signPagesLazily(inputs.pages, inputs, config),
  },
  'sign-pages-whole': {
    fn: 'SignDocument',
    async run(inputs, config) {
      const pages = await Promise.all(
        Array.from({ length: config.uploads.maxPages }, (_, index) =>
          readFile(join(inputs.pages, pageName(index + 1))),
        ),
      );
      return `signed ${mebibytes(await signWith(await mergePdfPages(pages), inputs.keys))} MiB`;
    },
  },
  'sign-pdf': {
    fn: 'SignDocument',
    async run(inputs) {
      const pdf = await ensureClassicXref(await readWhole(inputs.pdf));
      return `signed ${mebibytes(await signWith(pdf, inputs.keys))} MiB`;
    },
  },
  'validate-pdf-cap': {
    fn: 'ValidateUpload',
    run: (inputs, config) =>
      validateStreamed(inputs.pdfCap, 'application/pdf', inputs, unboundedLimits(config)),
  },
  'validate-tiff-large': {
    fn: 'ValidateUpload',
    run: (inputs, config) =>
      validateStreamed(inputs.tiffLarge, 'image/tiff', inputs, unboundedLimits(config)),
  },
  'sign-pages-cap': {
    fn: 'SignDocument',
    run: (inputs, config) => signPagesLazily(inputs.pagesCap, inputs, config),
  },
};

async function normaliseAll(path: string, mediaType: string, config: ProvinceConfig): Promise<string> {
  const bytes = await readWhole(path);
  let pages = 0;
  let largest = 0;
  for await (const page of normaliseImagePages(bytes, mediaType, {
    maxPixelsPerPage: config.uploads.maxPixelsPerPage,
  })) {
    pages++;
    largest = Math.max(largest, page.image.byteLength);
  }
  return `${pages} page image(s), largest ${mebibytes(largest)} MiB`;
}

const pageName = (page: number) => `page-${String(page).padStart(4, '0')}.pdf`;
const mebibytes = (bytes: number) => (bytes / MiB).toFixed(1);

// ---- inputs ---------------------------------------------------------------------------------

/** Test scans, loaded only where inputs are made: the measured processes do without them. */
const scans = () => import('#test/support/make-test-scans.ts');

async function greyPage(paper: TestPaper, options: ScanOptions = {}): Promise<Buffer> {
  return sharp(await (await scans()).renderPaperPng(paper, options))
    .toColourspace('b-w')
    .raw()
    .toBuffer();
}

async function jpegOf(grey: Buffer, quality: number): Promise<Buffer> {
  const { PAGE_WIDTH_PX, PAGE_HEIGHT_PX } = await scans();
  return sharp(grey, { raw: { width: PAGE_WIDTH_PX, height: PAGE_HEIGHT_PX, channels: 1 } })
    .jpeg({ quality })
    .toBuffer();
}

/** The best-quality JPEG of an A4 page that is at most `maxBytes`. */
async function jpegUpTo(grey: Buffer, maxBytes: number): Promise<Buffer> {
  for (let quality = 95; quality >= 5; quality -= 5) {
    const jpeg = await jpegOf(grey, quality);
    if (jpeg.length <= maxBytes) return jpeg;
  }
  throw new Error(`no JPEG of the page fits in ${maxBytes} bytes`);
}

/** A scanned PDF: `pageCount` A4 pages, each showing `jpeg`. */
async function scannedPdf(jpeg: Uint8Array, pageCount: number): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  for (let index = 0; index < pageCount; index++) {
    const image = await pdf.embedJpg(jpeg);
    pdf.addPage([A4_POINTS.width, A4_POINTS.height]).drawImage(image, { x: 0, y: 0, ...A4_POINTS });
  }
  return pdf.save({ useObjectStreams: false });
}

/** A multi-page deflate TIFF of A4 300-dpi pages, cycling through `greys`. */
async function writeTiff(path: string, greys: readonly Buffer[], pageCount: number): Promise<void> {
  const { PAGE_WIDTH_PX, PAGE_HEIGHT_PX, PAGE_DPI } = await scans();
  const pageBytes = PAGE_WIDTH_PX * PAGE_HEIGHT_PX;
  const stacked = Buffer.alloc(pageBytes * pageCount);
  for (let index = 0; index < pageCount; index++) {
    (greys[index % greys.length] as Buffer).copy(stacked, index * pageBytes);
  }
  await sharp(stacked, {
    raw: {
      width: PAGE_WIDTH_PX,
      height: PAGE_HEIGHT_PX * pageCount,
      channels: 1,
      pageHeight: PAGE_HEIGHT_PX,
    },
    limitInputPixels: false,
  })
    .tiff({ compression: 'deflate', predictor: 'none', xres: PAGE_DPI / 25.4, yres: PAGE_DPI / 25.4 })
    .toFile(path);
}

async function writePagePdfs(folder: string, jpeg: Uint8Array, pageCount: number): Promise<void> {
  await mkdir(folder, { recursive: true });
  const page = await imagePageToPdf(jpeg, (await scans()).PAGE_DPI);
  for (let index = 1; index <= pageCount; index++) await writeFile(join(folder, pageName(index)), page);
}

async function makeInputs(folder: string, config: ProvinceConfig): Promise<Inputs> {
  const { maxBytes, maxPages, maxPixelsPerPage, maxInMemoryPdfBytes } = config.uploads;
  const inputs: Inputs = {
    pdf: join(folder, 'upload.pdf'),
    tiff: join(folder, 'upload.tif'),
    jpeg: join(folder, 'upload.jpg'),
    png: join(folder, 'upload.png'),
    pages: join(folder, 'pages'),
    pdfCap: join(folder, 'upload-cap.pdf'),
    pagesCap: join(folder, 'pages-cap'),
    tiffLarge: join(folder, 'upload-large.tif'),
    keys: join(folder, 'keys'),
    sha256: {},
  };
  const { NOISY_SCAN, PAGE_HEIGHT_PX, PAGE_WIDTH_PX, SAMPLE_PAPERS } = await scans();
  const papers = SAMPLE_PAPERS.slice(0, 3);
  const clean = await Promise.all(papers.map((paper) => greyPage(paper)));
  const noisy = await Promise.all(papers.map((paper) => greyPage(paper, NOISY_SCAN)));
  const [firstClean, firstNoisy] = [clean[0] as Buffer, noisy[0] as Buffer];
  // PDF overhead per page is well under 2 KiB.
  const pageBudget = (total: number) => Math.floor(total / maxPages) - 2048;

  await writeFile(inputs.pdf, await scannedPdf(await jpegUpTo(firstNoisy, pageBudget(maxBytes)), maxPages));
  await writeTiff(inputs.tiff, clean, maxPages);
  if ((await stat(inputs.tiff)).size > maxBytes) {
    throw new Error(`a TIFF of ${maxPages} clean pages exceeds maxBytes (${maxBytes})`);
  }
  const side = Math.floor(Math.sqrt(maxPixelsPerPage));
  for (let quality = 95; ; quality -= 5) {
    const jpeg = await sharp(firstNoisy, {
      raw: { width: PAGE_WIDTH_PX, height: PAGE_HEIGHT_PX, channels: 1 },
    })
      .resize(side, side, { fit: 'fill' })
      .jpeg({ quality })
      .toBuffer();
    if (jpeg.length <= maxBytes || quality <= 5) {
      await writeFile(inputs.jpeg, jpeg);
      break;
    }
  }
  // A colour scan at the pixel limit: PreparePages decodes it (an upright grey JPEG goes to OCR as it is).
  await sharp(firstClean, { raw: { width: PAGE_WIDTH_PX, height: PAGE_HEIGHT_PX, channels: 1 } })
    .resize(side, side, { fit: 'fill' })
    .toColourspace('srgb')
    .png({ compressionLevel: 9 })
    .toFile(inputs.png);
  if ((await stat(inputs.png)).size > maxBytes)
    throw new Error('the PNG at the pixel limit exceeds maxBytes');
  // OCR's searchable pages embed the page image PreparePages made (greyscale JPEG, quality 85).
  await writePagePdfs(inputs.pages, await jpegOf(firstClean, 85), maxPages);

  await writeFile(
    inputs.pdfCap,
    await scannedPdf(await jpegUpTo(firstNoisy, pageBudget(maxInMemoryPdfBytes)), maxPages),
  );
  await writePagePdfs(inputs.pagesCap, await jpegUpTo(firstNoisy, pageBudget(maxInMemoryPdfBytes)), maxPages);
  await writeTiff(inputs.tiffLarge, noisy, maxPages);
  for (const path of [inputs.pdf, inputs.tiff, inputs.jpeg, inputs.png, inputs.pdfCap, inputs.tiffLarge]) {
    inputs.sha256[path] = await sha256Of(path);
  }
  return inputs;
}

async function describeInputs(inputs: Inputs, config: ProvinceConfig): Promise<string[]> {
  const sizeOf = async (path: string) => mebibytes((await stat(path)).size);
  const pagesTotal = async (folder: string) => {
    let total = 0;
    for (let page = 1; page <= config.uploads.maxPages; page++)
      total += (await stat(join(folder, pageName(page)))).size;
    return mebibytes(total);
  };
  const jpeg = await sharp(inputs.jpeg).metadata();
  const png = await sharp(inputs.png).metadata();
  const { maxPages } = config.uploads;
  return [
    `  upload.pdf        ${await sizeOf(inputs.pdf)} MiB, ${maxPages} scanned A4 pages (JPEG)`,
    `  upload.tif        ${await sizeOf(inputs.tiff)} MiB, ${maxPages} A4 300-dpi greyscale pages (deflate)`,
    `  upload.jpg        ${await sizeOf(inputs.jpeg)} MiB, ${jpeg.width}×${jpeg.height} pixels, greyscale`,
    `  upload.png        ${await sizeOf(inputs.png)} MiB, ${png.width}×${png.height} pixels, RGB`,
    `  pages/            ${await pagesTotal(inputs.pages)} MiB, ${maxPages} one-page searchable PDFs`,
    `  upload-cap.pdf    ${await sizeOf(inputs.pdfCap)} MiB, ${maxPages} scanned A4 pages (at maxInMemoryPdfBytes)`,
    `  pages-cap/        ${await pagesTotal(inputs.pagesCap)} MiB, ${maxPages} one-page PDFs (at maxInMemoryPdfBytes)`,
    `  upload-large.tif  ${await sizeOf(inputs.tiffLarge)} MiB, ${maxPages} noisy A4 300-dpi pages`,
  ];
}

// ---- processes ------------------------------------------------------------------------------

/**
 * This script bundled as Lambda runs its code (esbuild, packages left to node_modules), so that a
 * measured process runs plain JavaScript: under tsx the same modules take over 100 MiB more.
 */
async function bundleSelf(): Promise<string> {
  const outfile = join('node_modules', '.cache', 'motcua-measure-memory', 'measure-memory.mjs');
  await build({
    entryPoints: [fileURLToPath(import.meta.url)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    packages: 'external',
    logLevel: 'warning',
  });
  return outfile;
}

function runChild(entry: string, step: string, inputs: Inputs, configPath: string): Promise<StepReport> {
  return new Promise((resolve, reject) => {
    const child = fork(entry, ['--child', step, '--config', configPath], {
      execArgv: [],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, MEASURE_INPUTS: JSON.stringify(inputs) },
    });
    let report: StepReport | undefined;
    child.on('message', (message) => {
      report = message as StepReport;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (report) resolve(report);
      else reject(new Error(`step ${step} exited with code ${code} and no report`));
    });
  });
}

/**
 * This process's peak resident set. Linux keeps `getrusage` maxRSS (process.resourceUsage) across
 * fork and exec, so a child starts with its parent's peak; VmHWM belongs to the process image.
 */
async function peakRssKiB(): Promise<number> {
  const status = await readFile('/proc/self/status', 'utf8').catch(() => '');
  const match = /^VmHWM:\s+(\d+) kB$/mu.exec(status);
  return match?.[1] ? Number(match[1]) : process.resourceUsage().maxRSS;
}

async function child(step: string, config: ProvinceConfig): Promise<void> {
  const definition = STEPS[step];
  if (!definition) throw new Error(`unknown step ${step}`);
  const inputs = JSON.parse(process.env.MEASURE_INPUTS ?? '{}') as Inputs;
  const started = performance.now();
  let note: string;
  try {
    note = await definition.run(inputs, config);
  } catch (error) {
    note = `failed: ${(error as Error).message.split('\n')[0]}`;
  }
  const report: StepReport = {
    step,
    maxRssMiB: (await peakRssKiB()) / 1024,
    seconds: (performance.now() - started) / 1000,
    note,
  };
  await new Promise<void>((resolve) => process.send?.(report, () => resolve()));
}

async function main(): Promise<void> {
  const { values: args } = parseArgs({
    options: {
      config: { type: 'string', default: 'config/provinces/sample-province.yaml' },
      steps: { type: 'string' },
      /** A folder that keeps the inputs between runs (made when missing or made for other limits). */
      inputs: { type: 'string' },
      child: { type: 'string' },
      list: { type: 'boolean', default: false },
    },
  });
  const config = loadProvinceConfig(args.config);
  if (args.child) return child(args.child, config);
  if (args.list) {
    for (const [name, step] of Object.entries(STEPS)) process.stdout.write(`${name.padEnd(22)}${step.fn}\n`);
    return;
  }
  const steps = args.steps?.split(',') ?? Object.keys(STEPS);
  const unknown = steps.filter((name) => !STEPS[name]);
  if (unknown.length > 0) throw new Error(`unknown step(s) ${unknown.join(', ')}; see --list`);

  const { maxBytes, maxPages, maxPixelsPerPage, maxInMemoryPdfBytes } = config.uploads;
  const print = (line = '') => process.stdout.write(`${line}\n`);
  print(
    `motcua memory — ${args.config}: maxBytes ${mebibytes(maxBytes)} MiB, maxPages ${maxPages}, maxPixelsPerPage ${maxPixelsPerPage}, maxInMemoryPdfBytes ${mebibytes(maxInMemoryPdfBytes)} MiB; Node ${process.version}`,
  );
  const folder = args.inputs ?? (await mkdtemp(join(tmpdir(), 'motcua-measure-')));
  try {
    const started = performance.now();
    const inputs = await reuseOrMakeInputs(folder, config);
    await signersOf(inputs.keys).forAgency(AGENCY_ID);
    print(`Inputs ready in ${((performance.now() - started) / 1000).toFixed(0)} s (${folder}):`);
    for (const line of await describeInputs(inputs, config)) print(line);
    print();
    print(
      `${'step'.padEnd(22)}${'function'.padEnd(16)}${'peak RSS'.padStart(10)}${'time'.padStart(9)}  result`,
    );
    const entry = await bundleSelf();
    for (const step of steps) {
      const report = await runChild(entry, step, inputs, args.config);
      print(
        `${step.padEnd(22)}${(STEPS[step]?.fn ?? '').padEnd(16)}${`${report.maxRssMiB.toFixed(0)} MiB`.padStart(10)}${`${report.seconds.toFixed(1)} s`.padStart(9)}  ${report.note}`,
      );
    }
  } finally {
    if (!args.inputs) await rm(folder, { recursive: true, force: true });
  }
}

/** Inputs made earlier in `folder` for the same limits by this version of the script, or new ones. */
async function reuseOrMakeInputs(folder: string, config: ProvinceConfig): Promise<Inputs> {
  const manifest = join(folder, 'inputs.json');
  const saved = await readFile(manifest, 'utf8').then(
    (text) => JSON.parse(text) as { uploads: unknown; inputs: Inputs },
    () => undefined,
  );
  const current = { uploads: config.uploads, script: (await stat(fileURLToPath(import.meta.url))).mtimeMs };
  if (saved && JSON.stringify(saved.uploads) === JSON.stringify(current)) return saved.inputs;
  await mkdir(folder, { recursive: true });
  const inputs = await makeInputs(folder, config);
  await writeFile(manifest, JSON.stringify({ uploads: current, inputs }));
  return inputs;
}

await main();
