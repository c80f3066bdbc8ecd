import { isAbsolute, relative, sep } from 'node:path';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import { DockerImageCode } from 'aws-cdk-lib/aws-lambda';
import type { OcrEngineSetting } from '#shared/adapters/ocr/select-ocr-engine.ts';
import type { CalendarFile } from '#shared/config/load-working-calendar.ts';
import type { ProvinceConfig } from '#shared/config/province-config.ts';

/** The OCR image's Dockerfile, relative to the repository root (its build context). */
export const OCR_IMAGE_DOCKERFILE = 'infra/ocr-image/Dockerfile';

/**
 * Linux refuses a single command-line argument or environment string over 128 KiB, and a build
 * argument is both (docker's command line, then the environment of the RUN that bundles).
 */
export const MAX_BUILD_ARG_BYTES = 128 * 1024;

/**
 * Whether a province's `ocr.engine` can run native Tesseract, and so wants its OCR function as the
 * image: `auto` (and its older spelling `tesseract`) and `tesseract-native`. A province that
 * chose tesseract.js or Textract keeps a zip function and needs no Docker to deploy.
 */
export function runsNativeTesseract(engine: OcrEngineSetting): boolean {
  return engine === 'auto' || engine === 'tesseract' || engine === 'tesseract-native';
}

/** What the OCR image is built from. */
export interface OcrImageBuild {
  /** The repository root: the build context, holding the Dockerfile and the handler. */
  readonly projectRoot: string;
  /** Absolute path of the handler module, inside `projectRoot`. */
  readonly entry: string;
  /** Compiled in as MotcuaFunction compiles it (bundleDefines). */
  readonly config: ProvinceConfig;
  /** The national calendar files, compiled in likewise. */
  readonly calendars: readonly CalendarFile[];
  /** Packages left out of the bundle and copied beside it. */
  readonly runtimePackages: readonly string[];
}

/**
 * The Dockerfile's build arguments: the handler relative to the repository root, the province
 * configuration and national calendars as JSON, the runtime packages, and the OCR model and
 * language (Debian's model is installed for `ocr.model: fast`).
 * @throws Error when the handler is outside the repository or an argument is too long to pass.
 */
export function ocrImageBuildArgs(build: OcrImageBuild): Record<string, string> {
  const entry = relative(build.projectRoot, build.entry);
  if (entry.startsWith('..') || isAbsolute(entry)) {
    throw new Error(
      `the OCR image bundles its handler from the repository: ${build.entry} is outside ${build.projectRoot}`,
    );
  }
  const args: Record<string, string> = {
    ENTRY: entry.split(sep).join('/'),
    PROVINCE_CONFIG: JSON.stringify(build.config),
    NATIONAL_CALENDARS: JSON.stringify(build.calendars),
    RUNTIME_PACKAGES: build.runtimePackages.join(' '),
    OCR_MODEL: build.config.ocr.model,
    OCR_LANGUAGE: build.config.ocr.language,
  };
  for (const [name, value] of Object.entries(args)) {
    const bytes = Buffer.byteLength(`${name}=${value}`) + 1;
    if (bytes > MAX_BUILD_ARG_BYTES) {
      throw new Error(
        `the OCR image's build argument ${name} is ${Math.ceil(bytes / 1024)} KiB, over the ${MAX_BUILD_ARG_BYTES / 1024} KiB Linux allows one argument`,
      );
    }
  }
  return args;
}

/**
 * The OCR function's code: the image of infra/ocr-image/Dockerfile for x86_64, built by `cdk deploy`
 * (Docker, or Finch or podman through CDK_DOCKER). `cdk synth` only fingerprints the build context
 * (the repository root filtered by /.dockerignore) and the build arguments: no Docker needed.
 */
export function ocrImageCode(build: OcrImageBuild): DockerImageCode {
  return DockerImageCode.fromImageAsset(build.projectRoot, {
    file: OCR_IMAGE_DOCKERFILE,
    platform: Platform.LINUX_AMD64,
    buildArgs: ocrImageBuildArgs(build),
  });
}
