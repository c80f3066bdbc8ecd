/**
 * Loads a province's configuration (YAML or JSON) and reports every mistake with its field path
 * and, for files, its line.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { type Document, isNode, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { type ProvinceConfig, provinceConfigSchema } from '#shared/config/province-config.ts';

/** One thing wrong in a province configuration. */
export interface ProvinceConfigIssue {
  /** Field path such as `documentTypes[2].code`; empty for the whole document. */
  path: string;
  /** 1-based line, when known. */
  line?: number;
  message: string;
}

/** A province configuration that cannot be used; the message lists every issue. */
export class ProvinceConfigError extends Error {
  override readonly name = 'ProvinceConfigError';
  constructor(
    readonly fileName: string,
    readonly issues: readonly ProvinceConfigIssue[],
  ) {
    super(issues.map((issue) => `${fileName}: ${describeIssue(issue)}`).join('\n'));
  }
}

function describeIssue(issue: ProvinceConfigIssue): string {
  const where = [issue.path, issue.line === undefined ? '' : `(line ${issue.line})`]
    .filter(Boolean)
    .join(' ');
  return where ? `${where}: ${issue.message}` : issue.message;
}

/** Formats a path as `documentTypes[2].code`. */
export function formatConfigPath(path: readonly PropertyKey[]): string {
  return path
    .map((key, index) => (typeof key === 'number' ? `[${key}]` : `${index === 0 ? '' : '.'}${String(key)}`))
    .join('');
}

function lineOfPath(
  document: Document,
  lineCounter: LineCounter,
  path: readonly PropertyKey[],
): number | undefined {
  // A missing field has no node: report the closest ancestor that exists.
  for (let length = path.length; length >= 0; length--) {
    const node = length === 0 ? document.contents : document.getIn(path.slice(0, length), true);
    if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
  }
  return undefined;
}

/** The format a file name implies. */
function formatOf(fileName: string): 'yaml' | 'json' {
  const extension = extname(fileName).toLowerCase();
  if (extension === '.yaml' || extension === '.yml') return 'yaml';
  if (extension === '.json') return 'json';
  throw new ProvinceConfigError(fileName, [
    { path: '', message: `unsupported file extension "${extension}": use .yaml, .yml or .json` },
  ]);
}

/** A configuration file's data, and the line of any field path in it. */
export interface ParsedConfigFile {
  data: unknown;
  lineOf(path: readonly PropertyKey[]): number | undefined;
}

/**
 * Parses a configuration file (YAML or JSON, by its extension) keeping its lines.
 * @throws ProvinceConfigError on a syntax error, with its line.
 */
export function parseConfigFile(text: string, fileName: string): ParsedConfigFile {
  const format = formatOf(fileName);
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const lineOf = (path: readonly PropertyKey[]) => lineOfPath(document, lineCounter, path);
  if (format === 'json') {
    // JSON.parse decides validity; the YAML document (JSON is YAML 1.2) only maps paths to lines.
    try {
      return { data: JSON.parse(text), lineOf };
    } catch (error) {
      throw new ProvinceConfigError(fileName, [
        { path: '', message: `JSON syntax error: ${(error as Error).message}` },
      ]);
    }
  }
  if (document.errors.length > 0) {
    throw new ProvinceConfigError(
      fileName,
      document.errors.map((error) => ({
        path: '',
        line: lineCounter.linePos(error.pos[0]).line,
        message: `YAML syntax error: ${error.message.split('\n')[0]}`,
      })),
    );
  }
  return { data: document.toJS(), lineOf };
}

/** An issue at a field path of a parsed file, with the field's line when the file has it. */
export function configIssue(
  file: ParsedConfigFile,
  path: readonly PropertyKey[],
  message: string,
): ProvinceConfigIssue {
  const line = file.lineOf(path);
  return { path: formatConfigPath(path), ...(line === undefined ? {} : { line }), message };
}

/**
 * Checks a parsed file against a schema.
 * @throws ProvinceConfigError naming the file and every bad field path with its line.
 */
export function validateConfig<Schema extends z.ZodType>(
  schema: Schema,
  file: ParsedConfigFile,
  fileName: string,
): z.output<Schema> {
  const result = schema.safeParse(file.data);
  if (result.success) return result.data;
  throw new ProvinceConfigError(
    fileName,
    result.error.issues.map((issue) => configIssue(file, issue.path, issue.message)),
  );
}

/**
 * Parses and validates a province configuration. The format follows the file name's extension
 * (`.yaml`, `.yml`, `.json`); the file name only labels errors.
 * @throws ProvinceConfigError naming the file and every bad field path with its line.
 */
export function parseProvinceConfig(text: string, fileName: string): ProvinceConfig {
  return validateConfig(provinceConfigSchema, parseConfigFile(text, fileName), fileName);
}

/**
 * Reads a province configuration file.
 * @throws ProvinceConfigError when it cannot be read or is invalid.
 */
export function loadProvinceConfig(path: string): ProvinceConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ProvinceConfigError(path, [{ path: '', message: `cannot read: ${(error as Error).message}` }]);
  }
  return parseProvinceConfig(text, path);
}

/** Name of the environment variable that carries the configuration to Lambda handlers. */
export const PROVINCE_CONFIG_ENV = 'MOTCUA_PROVINCE_CONFIG';

/**
 * Parses the configuration a handler receives as JSON in `MOTCUA_PROVINCE_CONFIG`, validated by
 * the same schema (errors name field paths; there are no lines in a one-line value).
 * @throws ProvinceConfigError when it is missing, not JSON or invalid.
 */
export function provinceConfigFromEnv(json: string | undefined): ProvinceConfig {
  if (json === undefined || json.trim() === '') {
    throw new ProvinceConfigError(PROVINCE_CONFIG_ENV, [{ path: '', message: 'is not set' }]);
  }
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch (error) {
    throw new ProvinceConfigError(PROVINCE_CONFIG_ENV, [
      { path: '', message: `is not valid JSON: ${(error as Error).message}` },
    ]);
  }
  return validateConfig(provinceConfigSchema, { data, lineOf: () => undefined }, PROVINCE_CONFIG_ENV);
}
