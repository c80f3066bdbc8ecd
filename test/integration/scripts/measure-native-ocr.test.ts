import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureBareNativeOcr, nativeRatioLine } from '../../../scripts/lib/measure-native-ocr.ts';
import type { RunMeasurement } from '../../../scripts/lib/measure-throughput.ts';

const run = (pagesPerSecond: number): RunMeasurement => ({
  pages: 10,
  wallMs: 10_000 / pagesPerSecond,
  pagesPerSecond,
  cpuCores: 2,
  mainThreadBusy: 0.1,
});

describe('nativeRatioLine', () => {
  const native = { binary: 'tesseract', version: '5.3.0', tessdataDir: '/models', processes: 2 };

  it('is the median over the rounds of pipeline over bare native pages/s', () => {
    expect(nativeRatioLine([run(1.8), run(2.0), run(1.5)], [run(2), run(2), run(2)], native)).toBe(
      'ratio pipeline/native-ocr: 0.90 (rounds: 0.90 1.00 0.75)',
    );
  });

  it('says why there is no ratio without a native binary', () => {
    expect(nativeRatioLine([run(1)], [undefined], { unavailable: 'no tesseract binary ≥ 5 on PATH' })).toBe(
      'ratio pipeline/native-ocr: n/a (no tesseract binary ≥ 5 on PATH)',
    );
  });
});

describe('measureBareNativeOcr with a stand-in binary', () => {
  let folder: string;

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'motcua-bench-native-test-'));
  });
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('runs every page once after a warm-up per process, single-threaded, with the model folder, at most `processes` at once', async () => {
    const log = join(folder, 'calls.log');
    const binary = join(folder, 'tesseract');
    // Each call logs how many are running beside it (a marker file per running call).
    await writeFile(
      binary,
      `#!/bin/sh
touch "$2.running"
echo "$OMP_THREAD_LIMIT $(ls "$(dirname "$2")"/*.running | wc -l) $*" >> "${log}"
sleep 0.2
rm "$2.running"
`,
    );
    await chmod(binary, 0o755);
    const images = Array.from({ length: 5 }, (_, index) => new Uint8Array([index]));
    const measured = await measureBareNativeOcr(images, {
      binary,
      version: '5.3.0',
      tessdataDir: '/models/vie',
      processes: 2,
      language: 'vie',
    });
    const calls = (await readFile(log, 'utf8')).trim().split('\n');
    expect(calls).toHaveLength(7);
    expect(calls.filter((call) => /\/warm-\d /u.test(call))).toHaveLength(2);
    expect(calls.filter((call) => /\/out-\d /u.test(call))).toHaveLength(5);
    for (const call of calls) {
      const [threads, running] = call.split(' ');
      expect(threads).toBe('1');
      expect(Number(running)).toBeLessThanOrEqual(2);
      expect(call).toContain('--tessdata-dir /models/vie -l vie --oem 1 --psm 3');
      expect(call).toContain('tessedit_create_pdf=1');
    }
    expect(measured.pages).toBe(5);
    expect(measured.pagesPerSecond).toBeGreaterThan(0);
  });

  it('fails with what the binary wrote on stderr', async () => {
    const binary = join(folder, 'broken');
    await writeFile(binary, `#!/bin/sh\necho "Failed loading language 'vie'" >&2\nexit 1\n`);
    await chmod(binary, 0o755);
    await expect(
      measureBareNativeOcr([new Uint8Array([1])], {
        binary,
        version: '5.3.0',
        tessdataDir: folder,
        processes: 1,
        language: 'vie',
      }),
    ).rejects.toThrow("failed (exit 1): Failed loading language 'vie'");
  });
});
