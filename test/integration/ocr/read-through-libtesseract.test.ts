import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { extractPdfText } from '#shared/adapters/documents/extract-pdf-text.ts';
import { createNativeTesseractOcrEngine } from '#shared/adapters/ocr/native-tesseract-ocr-engine.ts';
import {
  programHelperPid,
  recognizeViaHelper,
  TesseractLibraryError,
} from '#shared/adapters/ocr/run-program-via-helper.ts';
import { nativeTessdataDir, probeTesseractLibrary } from '#shared/adapters/ocr/select-ocr-engine.ts';
import {
  characterErrorRate,
  NOISY_SCAN,
  paperText,
  renderPaperJpeg,
  samplePaper,
} from '#test/support/make-test-scans.ts';
import { describeNative, tesseractProbe } from '#test/support/native-tesseract.ts';

describeNative('pages read through libtesseract in the program helper', () => {
  const library = probeTesseractLibrary();
  let folder: string;
  let tessdataDir: string;
  let page: string;
  const job = (name: string, changes: Partial<Parameters<typeof recognizeViaHelper>[0]> = {}) => ({
    koffi: 'koffi' in library ? library.koffi : '',
    image: page,
    outputBase: join(folder, name),
    tessdataDir,
    language: 'vie',
    pageSegMode: 3,
    dpi: 300,
    pdf: true,
    textonlyPdf: false,
    // As the engine says it, from the bytes.
    jpeg: (changes.image ?? page).endsWith('.jpg'),
    ...changes,
  });

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'motcua-libtesseract-'));
    tessdataDir = nativeTessdataDir('best_int', { language: 'vie', probe: tesseractProbe });
    page = join(folder, 'page.jpg');
    await writeFile(page, await renderPaperJpeg(samplePaper('KS')));
  }, 60_000);
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('loads the library of the tesseract program on the PATH', () => {
    expect(library).toMatchObject({ version: tesseractProbe.found ? tesseractProbe.version : '' });
  });

  it('reads a JPEG in grey into the text and TSV the program writes, and a PDF of the scan with the same text layer', async () => {
    expect(await recognizeViaHelper(job('library'), { timeoutMs: 60_000 })).toBe(true);
    execFileSync(
      'tesseract',
      [page, join(folder, 'program'), '--tessdata-dir', tessdataDir, '-l', 'vie', '--oem', '1', '--psm', '3']
        .concat(['--dpi', '300', '-c', 'tessedit_create_txt=1', '-c', 'tessedit_create_tsv=1'])
        .concat(['-c', 'tessedit_create_pdf=1']),
      { env: { ...process.env, OMP_THREAD_LIMIT: '1' }, stdio: 'ignore' },
    );
    const read = (name: string) => readFile(join(folder, name), 'utf8');
    expect(await read('library.txt')).toBe(await read('program.txt'));
    expect(await read('library.tsv')).toBe(await read('program.tsv'));
    expect(await read('library.txt')).toContain('GIẤY KHAI SINH');
    const texts = await Promise.all(
      ['library.pdf', 'program.pdf'].map(
        async (name) => (await extractPdfText(await readFile(join(folder, name)))).pages,
      ),
    );
    expect(texts[0]).toEqual(texts[1]);
    // The page was read in grey, but the PDF shows the scan itself, in colour, byte for byte.
    const scan = await readFile(page);
    expect((await readFile(join(folder, 'library.pdf'))).includes(scan)).toBe(true);
  });

  it('writes a text-only PDF when asked, much smaller than one holding the scan', async () => {
    await recognizeViaHelper(job('textonly', { textonlyPdf: true }), { timeoutMs: 60_000 });
    await recognizeViaHelper(job('full'), { timeoutMs: 60_000 });
    const size = async (name: string) => (await readFile(join(folder, name))).byteLength;
    expect(await size('textonly.pdf')).toBeLessThan((await size('full.pdf')) / 10);
  });

  it('turns a page before reading it when asked, a colour or palette PNG as a JPEG, the way asked', async () => {
    const skewed = await renderPaperJpeg(samplePaper('KS'), { rotationDeg: 3 });
    const png = join(folder, 'skewed.png');
    await writeFile(png, await sharp(skewed).png({ compressionLevel: 1 }).toBuffer());
    const jpg = join(folder, 'skewed.jpg');
    await writeFile(jpg, skewed);
    const read = async (name: string, image: string, turnDegrees: number) => {
      expect(
        await recognizeViaHelper(job(name, { image, turnDegrees, pdf: false }), { timeoutMs: 60_000 }),
      ).toBe(true);
      return readFile(join(folder, `${name}.txt`), 'utf8');
    };
    expect(await read('turned-png', png, 3)).toContain('GIẤY KHAI SINH');
    const greyPng = join(folder, 'skewed-grey.png');
    await writeFile(greyPng, await sharp(skewed).greyscale().png({ palette: true }).toBuffer());
    expect(await read('turned-grey-png', greyPng, 3)).toContain('GIẤY KHAI SINH');
    expect(await read('turned-jpg', jpg, 3)).toContain('GIẤY KHAI SINH');
    // Turned the wrong way, the page is 6° off and reads as nothing like it.
    expect(await read('turned-wrong-way', jpg, -3)).not.toContain('GIẤY KHAI SINH');
    const notAnImage = join(folder, 'not-an-image.png');
    await writeFile(notAnImage, 'GIẤY KHAI SINH');
    expect(
      await recognizeViaHelper(job('not-turned', { image: notAnImage, turnDegrees: 3 }), {
        timeoutMs: 60_000,
      }),
    ).toBe(false);
  });

  it('says false for a file that is no image, and fails for a language it cannot load', async () => {
    const text = join(folder, 'not-an-image');
    await writeFile(text, 'plain text is a list of image names to Tesseract, and this name is none');
    expect(await recognizeViaHelper(job('garbage', { image: text }), { timeoutMs: 60_000 })).toBe(false);
    await expect(
      recognizeViaHelper(job('klingon', { language: 'tlh' }), { timeoutMs: 60_000 }),
    ).rejects.toThrow(`Tesseract cannot load tlh from ${tessdataDir}`);
  });

  it('says why when koffi cannot be loaded', async () => {
    const read = recognizeViaHelper(job('nokoffi', { koffi: join(folder, 'no-koffi.cjs') }), {
      timeoutMs: 60_000,
    });
    await expect(read).rejects.toBeInstanceOf(TesseractLibraryError);
    await expect(read).rejects.toThrow('cannot load libtesseract');
  });

  it('kills the helper when a read runs past its timeout, and reads the next page in a new one', async () => {
    await recognizeViaHelper(job('warm'), { timeoutMs: 60_000 });
    const first = programHelperPid();
    await expect(recognizeViaHelper(job('slow'), { timeoutMs: 50 })).rejects.toThrow(
      'no answer within 50 ms',
    );
    expect(await recognizeViaHelper(job('after'), { timeoutMs: 60_000 })).toBe(true);
    expect(programHelperPid()).not.toBe(first);
  });

  const engines = () =>
    [library, undefined].map((through) =>
      createNativeTesseractOcrEngine({
        tessdataDir,
        processes: 1,
        ...(through && 'koffi' in through ? { library: through.koffi } : {}),
      }),
    );

  it('gives the engine the same result through the library as through the program', async () => {
    const scan = await renderPaperJpeg(samplePaper('KS'), { rotationDeg: 0.6 });
    const [viaLibrary, viaProgram] = await Promise.all(
      engines().map((engine) => engine.recognize(scan, { language: 'vie', wantPdf: true })),
    );
    expect(viaLibrary?.text).toBe(viaProgram?.text);
    expect(viaLibrary?.confidence).toBe(viaProgram?.confidence);
    // Under 1°, a page is read as scanned and only its PDF is turned: nothing differs.
    expect(viaLibrary?.skew).toBe(viaProgram?.skew);
    expect(Math.abs((viaLibrary?.skew ?? 0) - 0.6)).toBeLessThan(0.2);
    const layers = await Promise.all(
      [viaLibrary, viaProgram].map(
        async (result) => (await extractPdfText(result?.searchablePdf ?? new Uint8Array())).pages,
      ),
    );
    expect(layers[0]).toEqual(layers[1]);
  });

  it('turns a skewed page in the helper and reads it as well as the turned copy the program gets', async () => {
    const paper = samplePaper('KS');
    const scan = await renderPaperJpeg(paper, { ...NOISY_SCAN, rotationDeg: 3 });
    const [viaLibrary, viaProgram] = await Promise.all(
      engines().map((engine) => engine.recognize(scan, { language: 'vie', wantPdf: true })),
    );
    expect(viaLibrary?.skew).toBe(viaProgram?.skew);
    expect(Math.abs((viaLibrary?.skew ?? 0) - 3)).toBeLessThan(0.3);
    const truth = paperText(paper);
    const errors = [viaLibrary, viaProgram].map((result) => characterErrorRate(truth, result?.text ?? ''));
    expect(errors[0]).toBeLessThan(0.03);
    expect(errors[0]).toBeLessThan((errors[1] ?? 0) + 0.01);
    expect(viaLibrary?.text).toContain('GIẤY KHAI SINH');
    expect(viaLibrary?.text).toContain('038319001234');
    // The PDF shows the scan itself turned straight under the text, as through the program.
    const layer = (await extractPdfText(viaLibrary?.searchablePdf ?? new Uint8Array())).pages;
    expect(layer.join('\n')).toContain('GIẤY KHAI SINH');
  });
});
