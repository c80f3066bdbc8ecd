import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chooseOcrEngine,
  findFastModelDir,
  prepareTessdataDir,
  probeTesseract,
  type TesseractProbe,
} from '#shared/adapters/ocr/select-ocr-engine.ts';
import { parseProvinceConfig } from '#shared/config/load-province-config.ts';
import { provinceConfigSchema } from '#shared/config/province-config.ts';

const native5: TesseractProbe = { found: true, binary: 'tesseract', version: '5.3.0', major: 5 };
const native4: TesseractProbe = { found: true, binary: 'tesseract', version: '4.1.1', major: 4 };
const absent: TesseractProbe = { found: false, binary: 'tesseract', error: 'no tesseract on the PATH' };
const never = (): TesseractProbe => {
  throw new Error('probed although the engine is forced');
};

describe('chooseOcrEngine', () => {
  it('auto runs native Tesseract when version 5 or later is on the PATH', () => {
    expect(chooseOcrEngine({ engine: 'auto', model: 'best_int' }, () => native5)).toEqual({
      engine: 'tesseract-native',
      model: 'best_int',
      reason: 'ocr.engine is auto and tesseract 5.3.0 is on the PATH',
    });
  });

  it('auto falls back to tesseract.js when no binary is found, saying why', () => {
    expect(chooseOcrEngine({ engine: 'auto', model: 'best_int' }, () => absent)).toEqual({
      engine: 'tesseract-wasm',
      model: 'best_int',
      reason: 'ocr.engine is auto and no tesseract on the PATH: tesseract.js instead',
    });
  });

  it('auto falls back to tesseract.js when the binary is older than 5', () => {
    expect(chooseOcrEngine({ engine: 'auto', model: 'fast' }, () => native4)).toEqual({
      engine: 'tesseract-wasm',
      model: 'fast',
      reason: 'ocr.engine is auto and tesseract 4.1.1 is older than 5: tesseract.js instead',
    });
  });

  it('reads the older spelling `tesseract` as auto', () => {
    expect(chooseOcrEngine({ engine: 'tesseract', model: 'best_int' }, () => native5).engine).toBe(
      'tesseract-native',
    );
    expect(chooseOcrEngine({ engine: 'tesseract', model: 'best_int' }, () => absent).engine).toBe(
      'tesseract-wasm',
    );
  });

  it('forced tesseract-native runs native, and fails at start without a usable binary', () => {
    expect(chooseOcrEngine({ engine: 'tesseract-native', model: 'best_int' }, () => native5)).toMatchObject({
      engine: 'tesseract-native',
      reason: 'ocr.engine is tesseract-native (tesseract 5.3.0)',
    });
    expect(() => chooseOcrEngine({ engine: 'tesseract-native', model: 'best_int' }, () => absent)).toThrow(
      'ocr.engine is tesseract-native, but no tesseract on the PATH',
    );
    expect(() => chooseOcrEngine({ engine: 'tesseract-native', model: 'best_int' }, () => native4)).toThrow(
      'ocr.engine is tesseract-native, but tesseract 4.1.1 is older than 5',
    );
  });

  it('forced tesseract-wasm and textract are used without probing for a binary', () => {
    expect(chooseOcrEngine({ engine: 'tesseract-wasm', model: 'best_int' }, never)).toEqual({
      engine: 'tesseract-wasm',
      model: 'best_int',
      reason: 'ocr.engine is tesseract-wasm',
    });
    expect(chooseOcrEngine({ engine: 'textract', model: 'best_int' }, never).engine).toBe('textract');
  });
});

describe('probeTesseract', () => {
  let folder: string;
  const fakeBinary = async (name: string, script: string) => {
    const path = join(folder, name);
    await writeFile(path, `#!/bin/sh\n${script}\n`);
    await chmod(path, 0o755);
    return path;
  };

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'motcua-probe-'));
  });
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('reads the version and the tessdata folder of a Tesseract 5', async () => {
    const binary = await fakeBinary(
      'tesseract5',
      'case "$1" in --version) echo "tesseract 5.3.0"; echo " leptonica-1.82.0";; --list-langs) echo \'List of available languages in "/opt/tess/tessdata/" (1):\'; echo vie;; esac',
    );
    const library = { koffi: '/opt/koffi/index.cjs', version: '5.3.0' };
    expect(probeTesseract(binary, () => library)).toEqual({
      found: true,
      binary,
      version: '5.3.0',
      major: 5,
      tessdataDir: '/opt/tess/tessdata',
      library,
    });
  });

  it('says whether pages are read through the library or by the program, and why', async () => {
    const binary = await fakeBinary('tesseract5b', 'echo "tesseract 5.3.0"');
    const auto = { engine: 'auto', model: 'best_int' } as const;
    const through = probeTesseract(binary, () => ({ koffi: '/opt/koffi/index.cjs', version: '5.3.0' }));
    expect(chooseOcrEngine(auto, () => through).reason).toBe(
      `ocr.engine is auto and ${binary} 5.3.0 is on the PATH; pages read through libtesseract 5.3.0, the model loaded once`,
    );
    const without = probeTesseract(binary, () => ({
      unavailable: 'libtesseract.so.5: cannot open shared object file',
    }));
    expect(chooseOcrEngine({ ...auto, engine: 'tesseract-native' }, () => without).reason).toBe(
      `ocr.engine is tesseract-native (${binary} 5.3.0; pages read by the program (libtesseract: libtesseract.so.5: cannot open shared object file))`,
    );
  });

  it('reads an older version, which chooseOcrEngine then refuses', async () => {
    const binary = await fakeBinary('tesseract4', 'echo "tesseract 4.1.1"');
    const probe = probeTesseract(binary);
    expect(probe).toMatchObject({ found: true, version: '4.1.1', major: 4 });
    expect(chooseOcrEngine({ engine: 'auto', model: 'best_int' }, () => probe).engine).toBe('tesseract-wasm');
  });

  it('says when the binary is not there', () => {
    const binary = join(folder, 'missing-tesseract');
    expect(probeTesseract(binary)).toEqual({ found: false, binary, error: `no ${binary} on the PATH` });
  });

  it('says when the binary fails', async () => {
    const binary = await fakeBinary('broken', 'echo "cannot load libleptonica" >&2; exit 127');
    const probe = probeTesseract(binary);
    expect(probe.found).toBe(false);
    expect(probe.found ? '' : probe.error).toContain(`${binary} --version failed`);
  });
});

describe('prepareTessdataDir', () => {
  let cacheRoot: string;
  let fonts: string;

  beforeAll(async () => {
    cacheRoot = await mkdtemp(join(tmpdir(), 'motcua-tessdata-test-'));
    fonts = await mkdtemp(join(tmpdir(), 'motcua-fonts-'));
    await writeFile(join(fonts, 'pdf.ttf'), 'font');
  });
  afterAll(async () => {
    await rm(cacheRoot, { recursive: true, force: true });
    await rm(fonts, { recursive: true, force: true });
  });

  it('decompresses the npm best_int model once, into a folder named by its hash, with pdf.ttf', async () => {
    const dir = prepareTessdataDir({ language: 'vie', systemTessdataDir: fonts, cacheRoot });
    expect(dir).toMatch(/motcua-tessdata\/vie-best_int-[0-9a-f]{16}$/u);
    const model = await readFile(join(dir, 'vie.traineddata'));
    expect(model.length).toBeGreaterThan(1_000_000);
    expect(await readFile(join(dir, 'pdf.ttf'), 'utf8')).toBe('font');
    expect(prepareTessdataDir({ language: 'vie', systemTessdataDir: fonts, cacheRoot })).toBe(dir);
  });

  it('names the missing font when Tesseract is installed incompletely', () => {
    const empty = join(cacheRoot, 'no-font-here');
    if (existsSync('/usr/share/tesseract-ocr/5/tessdata/pdf.ttf')) return; // the system has one
    expect(() => prepareTessdataDir({ language: 'vie', systemTessdataDir: empty, cacheRoot })).toThrow(
      'no pdf.ttf',
    );
  });
});

describe('findFastModelDir', () => {
  it('names the Debian package when the fast model is not installed', () => {
    expect(() => findFastModelDir('xyz', '/nonexistent')).toThrow('apt-get install tesseract-ocr-xyz');
  });
});

describe('ocr settings in the province configuration', () => {
  const base = {
    province: { slug: 'sample', name: 'Tỉnh Mẫu', code: 'H99' },
    agencies: [{ id: '000.00.00.H99', name: 'UBND', level: 'province' }],
    documentTypes: [
      {
        code: 'KS',
        name: 'Giấy khai sinh',
        titlePatterns: ['GIẤY KHAI SINH'],
        owner: 'person',
        ownerLabels: ['Số định danh'],
        retention: 'permanent',
        mustDigitise: true,
      },
    ],
    signing: { organisation: 'UBND' },
  };

  it('defaults to engine auto and model best_int', () => {
    const { ocr } = provinceConfigSchema.parse(base);
    expect(ocr).toMatchObject({ engine: 'auto', model: 'best_int', language: 'vie' });
    expect(provinceConfigSchema.parse({ ...base, ocr: { language: 'vie' } }).ocr).toMatchObject({
      engine: 'auto',
      model: 'best_int',
    });
  });

  it('accepts every engine, the older `tesseract` included, and both models', () => {
    for (const engine of ['auto', 'tesseract-native', 'tesseract-wasm', 'textract', 'tesseract']) {
      expect(provinceConfigSchema.parse({ ...base, ocr: { engine, model: 'fast' } }).ocr.engine).toBe(engine);
    }
  });

  it('names the field of an unknown engine or model', () => {
    expect(() => parseProvinceConfig('ocr:\n  engine: paddle\n', 'bad.yaml')).toThrow(/ocr\.engine/u);
    expect(() => provinceConfigSchema.parse({ ...base, ocr: { model: 'best' } })).toThrow();
  });
});
