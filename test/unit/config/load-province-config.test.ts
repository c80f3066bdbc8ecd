import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  loadProvinceConfig,
  ProvinceConfigError,
  parseProvinceConfig,
  provinceConfigFromEnv,
} from '#shared/config/load-province-config.ts';

const SAMPLE = fileURLToPath(new URL('../../../config/provinces/sample-province.yaml', import.meta.url));
const sampleText = readFileSync(SAMPLE, 'utf8');

function configError(run: () => unknown): ProvinceConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ProvinceConfigError) return error;
    throw error;
  }
  throw new Error('expected a ProvinceConfigError');
}

function lineNumberOf(text: string, fragment: string, occurrence = 0): number {
  const lines = text.split('\n');
  const matching = lines.flatMap((line, index) => (line.includes(fragment) ? [index + 1] : []));
  const line = matching[occurrence];
  if (line === undefined) throw new Error(`fragment ${fragment} not found`);
  return line;
}

describe('the sample province', () => {
  it('loads with its agencies, document types and defaults', () => {
    const config = loadProvinceConfig(SAMPLE);
    expect(config.province).toEqual({
      slug: 'sample',
      name: 'Tỉnh Mẫu',
      code: 'H99',
      timeZone: 'Asia/Ho_Chi_Minh',
    });
    expect(config.deployment.region).toBe('ap-southeast-1');
    expect(config.agencies).toHaveLength(11);
    expect(config.agencies.find((agency) => agency.id === '000.00.01.H99')).toMatchObject({
      level: 'province',
      oneStop: true,
    });
    expect(config.documentTypes.map((type) => type.code)).toEqual([
      'KS',
      'KH',
      'TTHN',
      'LLTP',
      'CT',
      'DKDN',
      'GPXD',
      'QSDD',
      'DDN',
    ]);
    expect(config.documentTypes.find((type) => type.code === 'DDN')).toMatchObject({
      titlePatterns: ['ĐƠN ĐỀ NGHỊ', 'TỜ KHAI'],
      retention: 10,
      mustDigitise: false,
    });
    expect(config.signing).toEqual({
      keySpec: 'RSA_2048',
      organisation: 'Ủy ban nhân dân tỉnh Mẫu',
      country: 'VN',
    });
    expect(config.uploads.maxBytes).toBe(25 * 1024 ** 2);
    expect(config.archive.defaultRetentionYears).toBe(10);
  });

  it('loads the same configuration from JSON and from the environment', () => {
    const config = loadProvinceConfig(SAMPLE);
    const json = JSON.stringify(config, null, 2);
    expect(parseProvinceConfig(json, 'sample.json')).toEqual(config);
    expect(provinceConfigFromEnv(JSON.stringify(config))).toEqual(config);
  });
});

describe('configuration errors', () => {
  it('names the file, the field path and its line for a bad document type code', () => {
    const text = sampleText.replace('  - code: TTHN', '  - code: tthn');
    const dir = mkdtempSync(join(tmpdir(), 'province-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, text);
    const error = configError(() => loadProvinceConfig(file));
    const line = lineNumberOf(text, 'code: tthn');
    expect(error.message).toBe(
      `${file}: documentTypes[2].code (line ${line}): must be 2–10 capital letters or digits, starting with a letter`,
    );
    expect(error.issues).toEqual([
      { path: 'documentTypes[2].code', line, message: expect.stringContaining('capital letters') },
    ]);
  });

  it('names a misspelt field instead of ignoring it', () => {
    const text = sampleText.replace('minConfidence:', 'minConfidense:');
    const error = configError(() => parseProvinceConfig(text, 'typo.yaml'));
    expect(error.message).toMatch(/^typo\.yaml: ocr \(line \d+\): .*minConfidense/);
  });

  it('accepts only https origins for browsers', () => {
    const text = sampleText.replace(
      'maxBytes:',
      'allowedOrigins: [http://motcua.example.gov.vn]\n  maxBytes:',
    );
    const error = configError(() => parseProvinceConfig(text, 'origins.yaml'));
    expect(error.message).toMatch(
      /^origins\.yaml: uploads\.allowedOrigins\[0\] \(line \d+\): .*https origin/,
    );
  });

  it('fails on a parent agency that is not listed', () => {
    const text = sampleText.replace(
      '    name: Ủy ban nhân dân xã Hòa Bình\n    level: commune\n    parentId: 000.00.00.H99',
      '    name: Ủy ban nhân dân xã Hòa Bình\n    level: commune\n    parentId: 000.00.42.H99',
    );
    const error = configError(() => parseProvinceConfig(text, 'config/provinces/x.yaml'));
    expect(error.message).toBe(
      `config/provinces/x.yaml: agencies[5].parentId (line ${lineNumberOf(text, '000.00.42.H99')}): no agency with id 000.00.42.H99`,
    );
  });

  it('fails on duplicate document type codes and agency IDs, reporting each', () => {
    const text = sampleText
      .replace('  - code: KH\n', '  - code: KS\n')
      .replace('id: 000.00.08.H99', 'id: 000.00.07.H99');
    const error = configError(() => parseProvinceConfig(text, 'x.yaml'));
    expect(error.issues).toEqual([
      {
        path: 'agencies[4].id',
        line: lineNumberOf(text, 'id: 000.00.07.H99', 1),
        message: 'duplicate agency id 000.00.07.H99',
      },
      {
        path: 'documentTypes[1].code',
        line: lineNumberOf(text, 'code: KS', 1),
        message: 'duplicate document type KS',
      },
    ]);
  });

  it('reports a missing field at its parent', () => {
    const text = sampleText.replace('  organisation: Ủy ban nhân dân tỉnh Mẫu\n', '');
    const error = configError(() => parseProvinceConfig(text, 'x.yaml'));
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]).toMatchObject({
      path: 'signing.organisation',
      line: lineNumberOf(text, '  keySpec:'),
    });
  });

  it('reports YAML syntax errors with their line', () => {
    const error = configError(() =>
      parseProvinceConfig('province:\n  slug: sample\n  name: [unclosed\n', 'x.yml'),
    );
    expect(error.message).toMatch(/^x\.yml: \(line \d\): YAML syntax error/);
  });

  it('reports lines in JSON files too', () => {
    const config = JSON.parse(JSON.stringify(loadProvinceConfig(SAMPLE)));
    config.ocr.minConfidence = 2;
    const json = JSON.stringify(config, null, 2);
    const error = configError(() => parseProvinceConfig(json, 'x.json'));
    expect(error.issues).toEqual([
      {
        path: 'ocr.minConfidence',
        line: lineNumberOf(json, '"minConfidence": 2'),
        message: expect.any(String),
      },
    ]);
  });

  it('rejects other file types and bad environment values', () => {
    expect(() => parseProvinceConfig(sampleText, 'x.toml')).toThrow(
      'x.toml: unsupported file extension ".toml"',
    );
    expect(() => provinceConfigFromEnv(undefined)).toThrow('MOTCUA_PROVINCE_CONFIG: is not set');
    expect(() => provinceConfigFromEnv('{')).toThrow('MOTCUA_PROVINCE_CONFIG: is not valid JSON');
    expect(() => provinceConfigFromEnv('{"province":{}}')).toThrow(
      /MOTCUA_PROVINCE_CONFIG: province\.slug: /,
    );
    expect(() => loadProvinceConfig('/nonexistent/p.yaml')).toThrow('/nonexistent/p.yaml: cannot read');
  });
});

describe('signing.timestampAuthority', () => {
  const withAuthority = (lines: string) =>
    sampleText.replace('  country: VN\n', `  country: VN\n  timestampAuthority:\n${lines}`);

  it('is optional, and read with its request settings when given', () => {
    expect(loadProvinceConfig(SAMPLE).signing.timestampAuthority).toBeUndefined();
    const config = parseProvinceConfig(
      withAuthority('    url: https://tsa.example.vn/tsr\n    timeoutMs: 5000\n    policy: 1.2.704.1\n'),
      'x.yaml',
    );
    expect(config.signing.timestampAuthority).toEqual({
      url: 'https://tsa.example.vn/tsr',
      timeoutMs: 5000,
      policy: '1.2.704.1',
    });
  });

  it('names a URL or a policy that is not one', () => {
    const error = configError(() =>
      parseProvinceConfig(withAuthority('    url: tsa.example.vn\n    policy: gold\n'), 'x.yaml'),
    );
    expect(error.issues.map((issue) => [issue.path, issue.message])).toEqual([
      ['signing.timestampAuthority.url', 'must be an http(s) URL'],
      ['signing.timestampAuthority.policy', 'must be an OID such as 1.2.3.4'],
    ]);
  });
});
