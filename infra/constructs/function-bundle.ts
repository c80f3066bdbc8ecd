import type { CalendarFile } from '#shared/config/load-working-calendar.ts';
import type { ProvinceConfig } from '#shared/config/province-config.ts';

// No CDK import here (and only type imports from #shared): the OCR image's Dockerfile bundles its
// function with these settings, in a build stage that has esbuild and the runtime packages only.

/**
 * Packages that cannot be bundled (native binaries, WASM, worker scripts, model files, files
 * found with require.resolve). The pipeline's container (functions/pipeline/pipeline-container.ts)
 * imports all of them statically, so every pipeline function needs all of them at load time; the
 * API, starter and reconciler functions need none (`runtimePackages: []`).
 */
export const RUNTIME_PACKAGES = [
  'tesseract.js',
  '@tesseract.js-data/vie',
  '@tesseract.js-data/osd',
  'sharp',
  '@napi-rs/canvas',
  'pdfjs-dist',
] as const;

/**
 * What the OCR image adds to them: koffi, through which its native engine reads pages with
 * Debian's libtesseract (the zip functions have no native Tesseract, so they never load it).
 */
export const NATIVE_OCR_PACKAGES = ['koffi'] as const;

/**
 * Gives bundled ESM code a CommonJS `require` for the CJS packages esbuild inlines. It is set on
 * globalThis rather than declared, because bundled modules may declare their own top-level
 * `const require = createRequire(import.meta.url)` and a second declaration is a SyntaxError.
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __motcuaCreateRequire } from 'node:module'; globalThis.require ??= __motcuaCreateRequire(import.meta.url);";

/**
 * How every motcua function is bundled, as a zip by NodejsFunction or in the OCR image by
 * infra/ocr-image/bundle-function.ts: ESM for Node 22, minified, a linked source map without
 * sources, the AWS SDK bundled, the output named `index.mjs`.
 */
export const BUNDLE_SETTINGS = {
  format: 'esm',
  platform: 'node',
  target: 'node22',
  mainFields: ['module', 'main'],
  banner: ESM_REQUIRE_BANNER,
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  outputFile: 'index.mjs',
} as const;

/**
 * The esbuild `define`s that compile the province configuration and the national calendars into a
 * bundle as the string literals `process.env.MOTCUA_PROVINCE_CONFIG` and
 * `process.env.MOTCUA_NATIONAL_CALENDARS` (JSON text: Lambda environment variables are limited to
 * 4 KB; `functions/lambda-environment.ts` reads them).
 */
export function bundleDefines(
  config: ProvinceConfig,
  calendars: readonly CalendarFile[],
): Record<'process.env.MOTCUA_PROVINCE_CONFIG' | 'process.env.MOTCUA_NATIONAL_CALENDARS', string> {
  return {
    'process.env.MOTCUA_PROVINCE_CONFIG': JSON.stringify(JSON.stringify(config)),
    'process.env.MOTCUA_NATIONAL_CALENDARS': JSON.stringify(JSON.stringify(calendars)),
  };
}
