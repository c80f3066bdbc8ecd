import { describe } from 'vitest';
import {
  chooseOcrEngine,
  createChosenTesseractEngine,
  MIN_NATIVE_TESSERACT_MAJOR,
  probeTesseract,
  type TesseractProbe,
} from '#shared/adapters/ocr/select-ocr-engine.ts';
import type { OcrEngine } from '#shared/ports.ts';

/** This machine's `tesseract`, probed once. */
export const tesseractProbe: TesseractProbe = probeTesseract();

/**
 * Whether the native engine's tests run here: with a `tesseract` 5 or later on the PATH (CI
 * installs Debian's tesseract-ocr in `.ci/run`). Without one they are left out, said once on
 * stderr, and the OCR tests run on tesseract.js, which is what the product itself falls back to.
 */
export const hasNativeTesseract = tesseractProbe.found && tesseractProbe.major >= MIN_NATIVE_TESSERACT_MAJOR;

/** `describe` where native Tesseract runs, nothing elsewhere. */
export const describeNative = hasNativeTesseract ? describe : () => {};

let told = false;

/** A test suite's OCR engines: native Tesseract with the best_int model when there is one, then tesseract.js. */
export function nativeEngineForTests(workers: number): { name: string; create: () => OcrEngine }[] {
  if (!hasNativeTesseract) {
    if (!told) {
      told = true;
      const seen = tesseractProbe.found ? `tesseract ${tesseractProbe.version}` : tesseractProbe.error;
      console.warn(
        `native Tesseract tests not run here (${seen}): apt-get install tesseract-ocr to run them`,
      );
    }
    return [];
  }
  return [
    {
      name: 'native Tesseract',
      create: () => {
        const choice = chooseOcrEngine(
          { engine: 'tesseract-native', model: 'best_int' },
          () => tesseractProbe,
        );
        return createChosenTesseractEngine(
          { ...choice, engine: 'tesseract-native' },
          { language: 'vie', workers, probe: tesseractProbe },
        );
      },
    },
  ];
}
