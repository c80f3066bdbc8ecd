import { cpSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import type { CalendarFile } from '#shared/config/load-working-calendar.ts';
import type { ProvinceConfig } from '#shared/config/province-config.ts';
import { BUNDLE_SETTINGS, bundleDefines } from '../constructs/function-bundle.ts';
import { resolveRuntimePackages } from '../constructs/resolve-runtime-packages.ts';

// Runs inside infra/ocr-image/Dockerfile (bundled there by esbuild first): imports nothing from
// CDK, and from #shared only types, since that build stage has the production dependencies only.

/**
 * Copies the packages a bundle leaves out, with everything they require at run time (see
 * resolveRuntimePackages), from `projectRoot/node_modules` to `outdir/node_modules`.
 * @param place copies one package folder (tests link instead). @default fs.cpSync, recursive
 * @returns the package folders placed, relative to node_modules
 */
export function copyRuntimePackages(options: {
  projectRoot: string;
  packages: readonly string[];
  outdir: string;
  place?: (from: string, to: string) => void;
}): string[] {
  const folders =
    options.packages.length > 0 ? resolveRuntimePackages(options.projectRoot, options.packages) : [];
  const place = options.place ?? ((from, to) => cpSync(from, to, { recursive: true }));
  for (const folder of folders) {
    const to = join(options.outdir, 'node_modules', folder);
    mkdirSync(resolve(to, '..'), { recursive: true });
    place(join(options.projectRoot, 'node_modules', folder), to);
  }
  return folders;
}

/**
 * Bundles a handler as MotcuaFunction bundles the zip functions (BUNDLE_SETTINGS, the runtime
 * packages external, the province configuration and national calendars compiled in with
 * bundleDefines) into `outdir/index.mjs` and its source map.
 */
export async function bundleFunction(options: {
  projectRoot: string;
  /** The handler module, relative to `projectRoot` (e.g. `functions/pipeline/ocr-page.ts`). */
  entry: string;
  outdir: string;
  config: ProvinceConfig;
  calendars: readonly CalendarFile[];
  runtimePackages: readonly string[];
}): Promise<void> {
  await build({
    absWorkingDir: resolve(options.projectRoot),
    entryPoints: [options.entry],
    outfile: join(resolve(options.outdir), BUNDLE_SETTINGS.outputFile),
    bundle: true,
    platform: BUNDLE_SETTINGS.platform,
    format: BUNDLE_SETTINGS.format,
    target: BUNDLE_SETTINGS.target,
    mainFields: [...BUNDLE_SETTINGS.mainFields],
    banner: { js: BUNDLE_SETTINGS.banner },
    minify: BUNDLE_SETTINGS.minify,
    sourcemap: BUNDLE_SETTINGS.sourcemap,
    sourcesContent: BUNDLE_SETTINGS.sourcesContent,
    external: [...options.runtimePackages],
    define: bundleDefines(options.config, options.calendars),
    logLevel: 'warning',
  });
}

/** The build arguments (environment variables in a RUN step) the Dockerfile passes on. */
export interface BundleEnvironment {
  /** Handler module relative to the repository root. */
  ENTRY?: string;
  /** The validated province configuration, as JSON. */
  PROVINCE_CONFIG?: string;
  /** The national calendar files (`[{ name, text }]`), as JSON. */
  NATIONAL_CALENDARS?: string;
  /** Package names, separated by spaces. */
  RUNTIME_PACKAGES?: string;
}

/**
 * `runtime-packages OUTDIR` or `bundle OUTDIR`, from the repository at `projectRoot` and the build
 * arguments in `env`.
 * @param projectRoot @default process.cwd() (the Dockerfile's WORKDIR)
 * @throws Error naming the build argument that is missing or not JSON.
 */
export async function runBundleCommand(
  args: readonly string[],
  env: BundleEnvironment,
  projectRoot: string = process.cwd(),
): Promise<string> {
  const [command, outdir] = args;
  if (!outdir || (command !== 'runtime-packages' && command !== 'bundle')) {
    throw new Error('usage: bundle-function (runtime-packages | bundle) OUTDIR');
  }
  const runtimePackages = (env.RUNTIME_PACKAGES ?? '').split(/\s+/u).filter(Boolean);
  if (command === 'runtime-packages') {
    const folders = copyRuntimePackages({ projectRoot, packages: runtimePackages, outdir });
    return `copied ${folders.length} package folders for ${runtimePackages.join(', ') || 'no package'}`;
  }
  const json = <T>(name: 'PROVINCE_CONFIG' | 'NATIONAL_CALENDARS'): T => {
    const text = env[name];
    if (!text) throw new Error(`build argument ${name} is missing`);
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      throw new Error(`build argument ${name} is not JSON: ${(error as Error).message}`);
    }
  };
  if (!env.ENTRY) throw new Error('build argument ENTRY is missing');
  await bundleFunction({
    projectRoot,
    entry: env.ENTRY,
    outdir,
    config: json<ProvinceConfig>('PROVINCE_CONFIG'),
    calendars: json<CalendarFile[]>('NATIONAL_CALENDARS'),
    runtimePackages,
  });
  return `bundled ${env.ENTRY} into ${join(outdir, BUNDLE_SETTINGS.outputFile)}`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    process.stdout.write(`${await runBundleCommand(process.argv.slice(2), process.env)}\n`);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}
