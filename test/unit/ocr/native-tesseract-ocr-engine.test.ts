import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createNativeTesseractOcrEngine,
  meanWordConfidence,
  NativeTesseractError,
} from '#shared/adapters/ocr/native-tesseract-ocr-engine.ts';

const TSV_HEADER =
  'level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext';

describe('meanWordConfidence', () => {
  it('averages the words (level 5) with a confidence, as 0..1', () => {
    const tsv = [
      TSV_HEADER,
      '1\t1\t0\t0\t0\t0\t0\t0\t2480\t3508\t-1\t',
      '5\t1\t1\t1\t1\t1\t10\t10\t50\t20\t96.5\tGIẤY',
      '5\t1\t1\t1\t1\t2\t70\t10\t50\t20\t83.5\tKHAI',
      '5\t1\t1\t1\t1\t3\t130\t10\t50\t20\t-1\t',
    ].join('\n');
    expect(meanWordConfidence(tsv)).toBeCloseTo(0.9, 6);
  });

  it('is 0 for a page without words', () => {
    expect(meanWordConfidence(`${TSV_HEADER}\n1\t1\t0\t0\t0\t0\t0\t0\t10\t10\t-1\t\n`)).toBe(0);
  });
});

describe('createNativeTesseractOcrEngine with a stand-in binary', () => {
  let folder: string;
  const script = async (name: string, body: string) => {
    const path = join(folder, name);
    await writeFile(path, `#!/bin/sh\n${body}\n`);
    await chmod(path, 0o755);
    return path;
  };

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'motcua-native-ocr-'));
  });
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('passes the model folder, language and single-thread limit, and reads text and confidence', async () => {
    const binary = await script(
      'ok',
      `printf 'Xin chào %s %s\\n' "$OMP_THREAD_LIMIT" "$*" > "$2.txt"
printf '${TSV_HEADER}\\n5\\t1\\t1\\t1\\t1\\t1\\t0\\t0\\t1\\t1\\t80\\tXin\\n' > "$2.tsv"`,
    );
    const engine = createNativeTesseractOcrEngine({ tessdataDir: '/models/here', binary, language: 'vie' });
    const result = await engine.recognize(new Uint8Array([1, 2, 3]), { language: 'vie', wantPdf: false });
    expect(result.text).toMatch(/^Xin chào 1 /u);
    expect(result.text).toContain('--tessdata-dir /models/here -l vie --oem 1 --psm 3 --dpi 300');
    expect(result.text).toContain('tessedit_create_pdf=0');
    expect(result.confidence).toBeCloseTo(0.8, 6);
    expect(result.searchablePdf).toBeUndefined();
  });

  it('runs at most `processes` pages at once', async () => {
    const binary = await script(
      'slow',
      `sleep 0.3; echo text > "$2.txt"; printf '${TSV_HEADER}\\n' > "$2.tsv"`,
    );
    const engine = createNativeTesseractOcrEngine({ tessdataDir: folder, binary, processes: 2 });
    const started = performance.now();
    await Promise.all(
      Array.from({ length: 4 }, () =>
        engine.recognize(new Uint8Array([1]), { language: 'vie', wantPdf: false }),
      ),
    );
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(580);
    expect(elapsed).toBeLessThan(1150);
  });

  it('fails with the exit status and what Tesseract wrote on stderr', async () => {
    const binary = await script('fails', 'echo "Failed loading language \'vie\'" >&2; exit 1');
    const engine = createNativeTesseractOcrEngine({ tessdataDir: folder, binary });
    const failure = engine.recognize(new Uint8Array([1]), { language: 'vie', wantPdf: false });
    await expect(failure).rejects.toBeInstanceOf(NativeTesseractError);
    await expect(failure).rejects.toThrow(`${binary} failed (exit 1): Failed loading language 'vie'`);
  });

  it('kills a page that runs past the timeout', async () => {
    const binary = await script('hangs', 'echo started >&2; exec sleep 10');
    const engine = createNativeTesseractOcrEngine({ tessdataDir: folder, binary, timeoutMs: 200 });
    await expect(engine.recognize(new Uint8Array([1]), { language: 'vie', wantPdf: false })).rejects.toThrow(
      `${binary} took more than 200 ms on a page: started`,
    );
  });

  it('says when the binary cannot be run', async () => {
    const engine = createNativeTesseractOcrEngine({ tessdataDir: folder, binary: join(folder, 'absent') });
    await expect(engine.recognize(new Uint8Array([1]), { language: 'vie', wantPdf: false })).rejects.toThrow(
      'could not run',
    );
  });

  describe('orientation', () => {
    const words = (conf: number) =>
      Array.from(
        { length: 6 },
        (_, index) => `5\\t1\\t1\\t1\\t1\\t${index}\\t0\\t0\\t90\\t30\\t${conf}\\tchữ`,
      ).join('\\n');
    // A page that reads badly as given and well once turned; OSD (--psm 0) says 180.
    const turnedPage = (osdReport: string) => `log="$(dirname "$0")/calls.log"
case "$*" in
  *"--psm 0"*) echo "osd $*" >> "$log"; ${osdReport} ;;
  *) if grep -q '^ocr' "$log" 2>/dev/null; then
       echo upright > "$2.txt"; printf '${TSV_HEADER}\\n${words(95)}\\n' > "$2.tsv"
     else
       echo garbage > "$2.txt"; printf '${TSV_HEADER}\\n${words(40)}\\n' > "$2.tsv"
     fi
     echo "ocr $*" >> "$log" ;;
esac`;
    let page: Uint8Array;
    let sub: string;

    beforeAll(async () => {
      page = await sharp({ create: { width: 200, height: 100, channels: 3, background: '#ffffff' } })
        .png()
        .toBuffer();
    });
    beforeEach(async () => {
      sub = await mkdtemp(join(folder, 'osd-'));
    });

    const read = async (binary: string, orientation?: false) => {
      const engine = createNativeTesseractOcrEngine({
        tessdataDir: '/models/vie',
        osdTessdataDir: '/models/osd',
        binary,
        ...(orientation === false ? { orientation } : {}),
      });
      const result = await engine.recognize(page, { language: 'vie', wantPdf: false });
      const log = await readFile(join(sub, 'calls.log'), 'utf8').catch(() => '');
      return { result, calls: log.trim().split('\n').filter(Boolean) };
    };
    const stand = async (name: string, body: string) => {
      const path = join(sub, name);
      await writeFile(path, `#!/bin/sh\n${body}\n`);
      await chmod(path, 0o755);
      return path;
    };

    it('runs OSD on a half-size copy of a page that reads badly, and reads it again turned', async () => {
      const binary = await stand(
        'turned',
        turnedPage(
          `printf 'Page number: 0\\nOrientation in degrees: 180\\nRotate: 180\\nOrientation confidence: 9.5\\n' > "$2.osd"`,
        ),
      );
      const { result, calls } = await read(binary);
      expect(result).toMatchObject({ text: 'upright', confidence: 0.95, rotation: 180 });
      expect(calls).toHaveLength(3);
      expect(calls[0]).toMatch(/^ocr /u);
      expect(calls[1]).toMatch(/^osd .*--tessdata-dir \/models\/osd --psm 0 --dpi 150$/u);
      expect(calls[2]).toMatch(/^ocr .*--tessdata-dir \/models\/vie -l vie/u);
    });

    it('keeps the first reading when Tesseract finds too few characters to tell', async () => {
      const binary = await stand(
        'few',
        turnedPage(`echo 'Too few characters. Skipping this page' >&2; exit 1`),
      );
      const { result, calls } = await read(binary);
      expect(result).toMatchObject({ text: 'garbage', confidence: 0.4, rotation: 0 });
      expect(calls).toHaveLength(2);
    });

    it('with orientation off reads the page once and says nothing of its orientation', async () => {
      const binary = await stand('off', turnedPage('exit 2'));
      const { result, calls } = await read(binary, false);
      expect(result.text).toBe('garbage');
      expect(result).not.toHaveProperty('rotation');
      expect(calls).toHaveLength(1);
    });
  });

  it('refuses a language it was not set up for', async () => {
    const engine = createNativeTesseractOcrEngine({ tessdataDir: folder, language: 'vie' });
    await expect(engine.recognize(new Uint8Array([1]), { language: 'eng', wantPdf: false })).rejects.toThrow(
      "loaded for 'vie', not 'eng'",
    );
  });
});
