import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

interface PackageManifest {
  readonly dependencies?: Record<string, string>;
  readonly optionalDependencies?: Record<string, string>;
}

/**
 * Lists the top-level `node_modules` folders that must be copied next to a bundle so that
 * `packages` (and everything they require at run time) resolve in Lambda. Nested
 * `node_modules` travel with their parent folder; optional dependencies count only when
 * installed (so only the linux-x64 native binaries this machine installed are taken).
 *
 * @param projectRoot folder holding the `node_modules` to copy from
 * @param packages package names the handler imports but esbuild cannot bundle
 * @returns paths relative to `projectRoot/node_modules`, e.g. `sharp`, `@img/sharp-linux-x64`
 */
export function resolveRuntimePackages(projectRoot: string, packages: readonly string[]): string[] {
  const topLevel = join(projectRoot, 'node_modules');
  const seen = new Set<string>();
  const copied = new Set<string>();
  const visit = (name: string, fromDir: string, optional: boolean): void => {
    const packageDir = findPackageDir(name, fromDir, projectRoot);
    if (!packageDir) {
      if (optional) return;
      throw new Error(`runtime package ${name} is not installed (looked from ${fromDir})`);
    }
    if (seen.has(packageDir)) return;
    seen.add(packageDir);
    const fromTop = relative(topLevel, packageDir);
    if (!fromTop.includes(`${sep}node_modules${sep}`)) copied.add(fromTop.split(sep).join('/'));
    const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as PackageManifest;
    for (const dependency of Object.keys(manifest.dependencies ?? {})) visit(dependency, packageDir, false);
    for (const dependency of Object.keys(manifest.optionalDependencies ?? {}))
      visit(dependency, packageDir, true);
  };
  for (const name of packages) visit(name, projectRoot, false);
  return [...copied].sort();
}

function findPackageDir(name: string, fromDir: string, projectRoot: string): string | undefined {
  let dir = fromDir;
  for (;;) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === projectRoot || dirname(dir) === dir) return undefined;
    dir = dirname(dir);
  }
}
