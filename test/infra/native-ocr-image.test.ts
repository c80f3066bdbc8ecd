import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, relative } from 'node:path';
import { type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AssetManifestArtifact } from 'aws-cdk-lib/cx-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMotcuaApp, type MotcuaApp } from '#infra/bin/create-motcua-app.ts';
import {
  BUNDLE_SETTINGS,
  bundleDefines,
  NATIVE_OCR_PACKAGES,
  RUNTIME_PACKAGES,
} from '#infra/constructs/function-bundle.ts';
import { NATIONAL_CALENDAR_FILES, PROJECT_ROOT } from '#infra/constructs/motcua-function.ts';
import {
  MAX_BUILD_ARG_BYTES,
  OCR_IMAGE_DOCKERFILE,
  ocrImageBuildArgs,
  runsNativeTesseract,
} from '#infra/constructs/native-ocr-image.ts';
import { copyRuntimePackages, runBundleCommand } from '#infra/ocr-image/bundle-function.ts';
import { probeTesseract } from '#shared/adapters/ocr/select-ocr-engine.ts';
import { DOCUMENT_PIPELINE_TASKS } from '#state-machines/document-pipeline-tasks.ts';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'test-province.yaml');
const CDK_CONTEXT = JSON.parse(readFileSync(join(import.meta.dirname, '../../cdk.json'), 'utf8'))
  .context as Record<string, unknown>;
const PACKAGE_JSON = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
  devDependencies: Record<string, string>;
};

function buildApp(configPath: string): MotcuaApp {
  return createMotcuaApp({
    outdir: mkdtempSync(join(tmpdir(), 'motcua-cdk-')),
    context: { ...CDK_CONTEXT, 'aws:cdk:bundling-stacks': [], 'motcua:provinceConfig': configPath },
  });
}

/** The fixture province with another `ocr.engine`. */
function fixtureWithEngine(engine: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'motcua-config-')), `${engine}-province.yaml`);
  writeFileSync(path, `${readFileSync(FIXTURE, 'utf8')}\nocr:\n  engine: ${engine}\n`);
  return path;
}

const logicalId = (element: unknown) => Stack.of(element as CfnElement).getLogicalId(element as CfnElement);

interface DockerImageSource {
  directory: string;
  dockerFile?: string;
  dockerBuildArgs?: Record<string, string>;
  platform?: string;
}

/** The Docker images `cdk deploy` would build for the stack, by asset hash, from its asset manifest. */
function dockerImagesOf(built: MotcuaApp): Record<string, { source: DockerImageSource }> {
  const assembly = built.app.synth();
  const manifest = assembly.artifacts.find(
    (artifact): artifact is AssetManifestArtifact =>
      artifact instanceof AssetManifestArtifact && artifact.id.startsWith(built.stack.artifactId),
  );
  if (!manifest) throw new Error('no asset manifest');
  const parsed = JSON.parse(readFileSync(manifest.file, 'utf8')) as {
    dockerImages?: Record<string, { source: DockerImageSource }>;
  };
  return parsed.dockerImages ?? {};
}

/** A Dockerfile's instructions (continuations joined, comments dropped), by stage. */
function parseDockerfile(text: string): { global: string[][]; stages: string[][][] } {
  const instructions = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const [keyword = '', ...rest] = line.split(/\s+/);
      return [keyword.toUpperCase(), rest.join(' ')];
    });
  const global: string[][] = [];
  const stages: string[][][] = [];
  for (const instruction of instructions) {
    if (instruction[0] === 'FROM') stages.push([instruction]);
    else (stages.at(-1) ?? global).push(instruction);
  }
  return { global, stages };
}

const DOCKERFILE = parseDockerfile(readFileSync(join(PROJECT_ROOT, OCR_IMAGE_DOCKERFILE), 'utf8'));
const argsOf = (instructions: string[][]) =>
  instructions.filter(([keyword]) => keyword === 'ARG').map(([, rest]) => rest ?? '');
const runsOf = (instructions: string[][]) =>
  instructions.filter(([keyword]) => keyword === 'RUN').map(([, rest]) => rest ?? '');

function filesUnder(root: string, dir = root): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? filesUnder(root, join(dir, entry.name))
      : [relative(root, join(dir, entry.name)).split('\\').join('/')],
  );
}

describe('the OCR function as a native-Tesseract container image', () => {
  let built: MotcuaApp;
  let template: Template;
  let image: DockerImageSource;
  let wasm: MotcuaApp;
  let wasmTemplate: Template;

  beforeAll(() => {
    built = buildApp(FIXTURE);
    template = Template.fromStack(built.stack);
    const images = Object.values(dockerImagesOf(built));
    expect(images).toHaveLength(1);
    image = (images[0] as { source: DockerImageSource }).source;
    wasm = buildApp(fixtureWithEngine('tesseract-wasm'));
    wasmTemplate = Template.fromStack(wasm.stack);
  });

  it('builds the task that OCRs, and only it, as an image, with the zip functions of the task table for the rest', () => {
    const ocrTasks = Object.entries(DOCUMENT_PIPELINE_TASKS)
      .filter(([, spec]) => 'runsOcr' in spec && spec.runsOcr)
      .map(([task]) => task);
    expect(ocrTasks).toEqual(['OcrPage']);
    const functions = template.findResources('AWS::Lambda::Function');
    const images = Object.entries(functions).filter(([, fn]) => fn.Properties.PackageType === 'Image');
    expect(images.map(([id]) => id)).toEqual([
      logicalId(built.stack.pipeline.functions.OcrPage.function.node.defaultChild),
    ]);
    for (const [id, fn] of Object.entries(functions)) {
      if (fn.Properties.PackageType === 'Image') continue;
      expect(fn.Properties.Runtime, id).toBe('nodejs22.x');
      expect(fn.Properties.Code.S3Key, id).toMatch(/\.zip$/);
    }
  });

  it('gives the image function the sizing, tracing, log group and environment of the zip function it replaces', () => {
    const { OcrPage } = DOCUMENT_PIPELINE_TASKS;
    const ocrId = logicalId(built.stack.pipeline.functions.OcrPage.function.node.defaultChild);
    const imageFn = template.findResources('AWS::Lambda::Function')[ocrId]?.Properties;
    const zipFn = wasmTemplate.findResources('AWS::Lambda::Function')[ocrId]?.Properties;
    expect(zipFn?.Runtime).toBe('nodejs22.x');
    expect(imageFn).toMatchObject({
      PackageType: 'Image',
      MemorySize: OcrPage.memoryMb,
      Timeout: OcrPage.timeoutSeconds,
      TracingConfig: { Mode: 'Active' },
      Architectures: ['x86_64'],
      LoggingConfig: {
        LogGroup: { Ref: logicalId(built.stack.pipeline.functions.OcrPage.logGroup.node.defaultChild) },
      },
    });
    expect(imageFn?.Runtime).toBeUndefined();
    expect(imageFn?.Handler).toBeUndefined();
    for (const property of [
      'Environment',
      'MemorySize',
      'Timeout',
      'TracingConfig',
      'LoggingConfig',
      'Role',
    ]) {
      expect(imageFn?.[property], property).toEqual(zipFn?.[property]);
    }
    expect(Object.keys(imageFn?.Environment.Variables ?? {}).sort()).toEqual([
      'ARCHIVE_BUCKET',
      'DOCUMENTS_TABLE',
      'INGEST_BUCKET',
      'NODE_OPTIONS',
      'OCR_WORKERS',
      'SIGNER',
    ]);
  });

  it('grants the image function exactly what the zip function had: no ECR or other new permission', () => {
    const role = built.stack.pipeline.functions.OcrPage.role;
    const policyId = logicalId(role.node.tryFindChild('DefaultPolicy')?.node.defaultChild);
    const policy = (t: Template) => t.findResources('AWS::IAM::Policy')[policyId]?.Properties;
    expect(policy(template)?.PolicyDocument.Statement.length).toBeGreaterThan(0);
    expect(policy(template)).toEqual(policy(wasmTemplate));
    const roleId = logicalId(role.node.defaultChild);
    expect(template.findResources('AWS::IAM::Role')[roleId]).toEqual(
      wasmTemplate.findResources('AWS::IAM::Role')[roleId],
    );
    expect(JSON.stringify(policy(template))).not.toMatch(/ecr:/);
  });

  it('keeps a zip OCR function, and needs no Docker, for a province that chose tesseract.js or Textract', () => {
    expect(Object.keys(dockerImagesOf(wasm))).toEqual([]);
    expect(Object.keys(dockerImagesOf(buildApp(fixtureWithEngine('textract'))))).toEqual([]);
    expect(
      ['auto', 'tesseract', 'tesseract-native'].filter((e) => runsNativeTesseract(e as never)),
    ).toHaveLength(3);
    expect(runsNativeTesseract('tesseract-wasm')).toBe(false);
  });

  it("builds the image from the repository's Dockerfile for x86_64, with the task table's entry and the configuration the zip functions compile in", () => {
    expect(image.dockerFile).toBe(OCR_IMAGE_DOCKERFILE);
    expect(image.platform).toBe('linux/amd64');
    const args = image.dockerBuildArgs ?? {};
    expect(args.ENTRY).toBe(`functions/pipeline/${DOCUMENT_PIPELINE_TASKS.OcrPage.entry}.ts`);
    expect(existsSync(join(PROJECT_ROOT, args.ENTRY ?? '-'))).toBe(true);
    expect(args.RUNTIME_PACKAGES?.split(' ')).toEqual([...RUNTIME_PACKAGES, ...NATIVE_OCR_PACKAGES]);
    // The best_int model the npm engine reads travels with the runtime packages.
    expect(args.RUNTIME_PACKAGES?.split(' ')).toContain(`@tesseract.js-data/${built.config.ocr.language}`);
    expect({ model: args.OCR_MODEL, language: args.OCR_LANGUAGE }).toEqual({
      model: built.config.ocr.model,
      language: built.config.ocr.language,
    });
    const defines = bundleDefines(
      JSON.parse(args.PROVINCE_CONFIG ?? ''),
      JSON.parse(args.NATIONAL_CALENDARS ?? ''),
    );
    expect(defines).toEqual(bundleDefines(built.config, NATIONAL_CALENDAR_FILES()));
  });

  it('declares in the Dockerfile every build argument CDK passes, and CDK passes every one without a default', () => {
    const declared = [...argsOf(DOCKERFILE.global), ...DOCKERFILE.stages.flatMap(argsOf)];
    const names = declared.map((arg) => arg.split('=')[0]);
    const required = declared.filter((arg) => !arg.includes('=')).sort();
    const passed = Object.keys(image.dockerBuildArgs ?? {});
    expect(passed.filter((name) => !names.includes(name))).toEqual([]);
    expect(required.filter((name) => !passed.includes(name))).toEqual([]);
    expect(required).toEqual(['ENTRY', 'NATIONAL_CALENDARS', 'PROVINCE_CONFIG', 'RUNTIME_PACKAGES']);
  });

  it('bases every stage on the Node 22 Debian image of the `node` devDependency, pinned by exact tag', () => {
    expect(argsOf(DOCKERFILE.global)).toEqual([
      `NODE_IMAGE=node:${PACKAGE_JSON.devDependencies.node}-bookworm-slim`,
    ]);
    expect(PACKAGE_JSON.devDependencies.node).toMatch(/^22\.\d+\.\d+$/);
    const bases = DOCKERFILE.stages.map(([from]) => from?.[1]?.split(' ')[0]);
    expect(bases).toEqual([`\${NODE_IMAGE}`, `\${NODE_IMAGE}`, `\${NODE_IMAGE}`]);
  });

  it("installs Debian's tesseract-ocr in the final image, its fast model only when the province chooses it, and runs the client on the bundle", () => {
    const final = DOCKERFILE.stages.at(-1) ?? [];
    const installs = runsOf(final).filter((run) => run.includes('apt-get install'));
    expect(installs).toHaveLength(1);
    expect(installs[0]?.split(/\s+/)).toContain('tesseract-ocr');
    expect(installs[0]).toMatch(
      /if \[ "\$OCR_MODEL" = fast \]; then echo "tesseract-ocr-\$OCR_LANGUAGE"; fi/,
    );
    // The image's last check runs with the province's model.
    expect(runsOf(final).some((run) => run.includes('check-ocr-image.sh /var/task "$OCR_MODEL"'))).toBe(true);
    const handlerModule = BUNDLE_SETTINGS.outputFile.replace(/\.mjs$/, '');
    expect(final.find(([keyword]) => keyword === 'CMD')?.[1]).toBe(`["${handlerModule}.handler"]`);
    expect(final.find(([keyword]) => keyword === 'ENTRYPOINT')?.[1]).toBe(
      '["/usr/local/bin/node", "/opt/aws-lambda-ric/bin/index.mjs"]',
    );
    expect(final.find(([keyword]) => keyword === 'WORKDIR')?.[1]).toBe('/var/task');
    const bundle = DOCKERFILE.stages.find(([from]) => from?.[1]?.endsWith(' AS bundle')) ?? [];
    expect(argsOf(bundle)).toContain('ENTRY');
    expect(runsOf(bundle)).toContain('node /opt/esbuild/bundle-function.mjs bundle /var/task');
    expect(
      runsOf(bundle).some((run) => run.includes("require('/src/package.json').devDependencies.esbuild")),
    ).toBe(true);
  });

  it('sends Docker only what the Dockerfile copies: no node_modules, cdk.out, data, tests or output folders', () => {
    const context = join(built.app.outdir, image.directory);
    const files = filesUnder(context);
    const sources = DOCKERFILE.stages
      .flat()
      .filter(([keyword, rest]) => keyword === 'COPY' && !rest?.startsWith('--from'))
      .flatMap(([, rest]) => (rest ?? '').split(/\s+/).slice(0, -1));
    expect(sources.length).toBeGreaterThan(5);
    for (const source of sources) {
      expect(
        files.some((file) => file === source || file.startsWith(`${source}/`)),
        source,
      ).toBe(true);
    }
    expect(files).toContain(image.dockerBuildArgs?.ENTRY);
    const outside = [
      'node_modules/',
      'cdk.out/',
      'data/',
      'test/',
      'demo-output/',
      'bench-output/',
      '.git',
      'config/',
    ];
    expect(files.filter((file) => outside.some((prefix) => file.startsWith(prefix)))).toEqual([]);
    expect(files.length).toBeLessThan(1000);
  });

  describe('the build step of the Dockerfile, run here', () => {
    let outdir: string;
    afterAll(() => {
      if (outdir) rmSync(outdir, { recursive: true, force: true });
    });

    it('bundles the entry with its runtime packages into a function that starts native Tesseract with the best_int model when a tesseract 5 is on the PATH', async () => {
      const args = image.dockerBuildArgs ?? {};
      outdir = mkdtempSync(join(tmpdir(), 'motcua-ocr-image-'));
      const placed = copyRuntimePackages({
        projectRoot: PROJECT_ROOT,
        packages: (args.RUNTIME_PACKAGES ?? '').split(' '),
        outdir,
      });
      expect(placed).toEqual(
        expect.arrayContaining([
          'sharp',
          '@tesseract.js-data/vie',
          'pdfjs-dist',
          'koffi',
          '@koromix/koffi-linux-x64',
        ]),
      );
      expect(await runBundleCommand(['bundle', outdir], args, PROJECT_ROOT)).toMatch(/^bundled functions\//);
      expect(existsSync(join(outdir, BUNDLE_SETTINGS.outputFile))).toBe(true);

      const check = spawnSync(
        'sh',
        [join(PROJECT_ROOT, 'infra/ocr-image/check-ocr-image.sh'), outdir, 'best_int'],
        {
          encoding: 'utf8',
          env: { PATH: [dirname(process.execPath), process.env.PATH].join(delimiter) },
          timeout: 60_000,
        },
      );
      const probe = probeTesseract();
      if (probe.found && probe.major >= 5) {
        expect(check.stderr).toBe('');
        expect(check.status).toBe(0);
        expect(check.stdout).toContain('"OCR engine: tesseract-native, model best_int:');
        expect(check.stdout).toContain('pages read through libtesseract');
      } else {
        // The same start, without the binary: the check sees the fallback and fails the build.
        expect(check.status).toBe(1);
        expect(check.stderr).toContain('"OCR engine: tesseract-wasm, model best_int:');
        expect(check.stderr).toContain('does not choose native Tesseract');
      }
    });
  });

  it('refuses a handler outside the repository, and a build argument longer than Linux passes', () => {
    const build = {
      projectRoot: PROJECT_ROOT,
      entry: join(PROJECT_ROOT, 'functions/pipeline/ocr-page.ts'),
      config: built.config,
      calendars: NATIONAL_CALENDAR_FILES(),
      runtimePackages: [...RUNTIME_PACKAGES],
    };
    expect(ocrImageBuildArgs(build).ENTRY).toBe('functions/pipeline/ocr-page.ts');
    expect(() => ocrImageBuildArgs({ ...build, entry: join(tmpdir(), 'ocr-page.ts') })).toThrow(/outside/);
    const big = {
      ...built.config,
      province: { ...built.config.province, name: 'x'.repeat(MAX_BUILD_ARG_BYTES) },
    };
    expect(() => ocrImageBuildArgs({ ...build, config: big })).toThrow(/PROVINCE_CONFIG is \d+ KiB/);
  });
});
