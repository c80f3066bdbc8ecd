import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  loadProvinceConfig,
  ProvinceConfigError,
  parseProvinceConfig,
} from '#shared/config/load-province-config.ts';
import { findProcedure, isParallelStep, limitTotal, stepShare } from '#shared/config/procedure-catalogue.ts';

const SAMPLE = fileURLToPath(new URL('../../../config/provinces/sample-province.yaml', import.meta.url));
const sampleText = readFileSync(SAMPLE, 'utf8');
const sample = loadProvinceConfig(SAMPLE);

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
  const line = lines.flatMap((text, index) => (text.includes(fragment) ? [index + 1] : []))[occurrence];
  if (line === undefined) throw new Error(`fragment ${fragment} not found`);
  return line;
}

const step = (name: string, agencyId: string, role: string, share: number) => ({
  name,
  agencyId,
  role,
  share,
});

/** An inter-agency construction permit: counter, department, parallel consultation, signature. */
function permit(overrides: Record<string, unknown> = {}) {
  return {
    code: '1.009994',
    name: 'Cấp giấy phép xây dựng mới đối với công trình cấp II, cấp III',
    field: { code: 'HDXD', name: 'Hoạt động xây dựng' },
    level: 'province',
    competentAgencyId: '000.00.08.H99',
    limit: { value: 20, unit: 'working-days' },
    route: [
      step('Tiếp nhận hồ sơ', '000.00.01.H99', 'counter-officer', 0.5),
      step('Phân công thẩm định', '000.00.08.H99', 'processing-officer', 1.5),
      {
        name: 'Lấy ý kiến liên thông',
        parallel: [
          step('Thẩm duyệt phòng cháy', '000.09.01.H99', 'processing-officer', 8),
          step('Ý kiến về sử dụng đất', '000.00.10.H99', 'processing-officer', 7),
        ],
      },
      step('Thẩm định, ký giấy phép', '000.00.08.H99', 'agency-admin', 9.5),
      step('Trả kết quả', '000.00.01.H99', 'counter-officer', 0.5),
    ],
    components: [
      { name: 'Đơn đề nghị', documentType: 'DDN', mustDigitise: false },
      { name: 'Giấy chứng nhận quyền sử dụng đất', documentType: 'QSDD', mustDigitise: true, reusable: true },
    ],
    fee: 150000,
    onlineLevel: 'partial',
    anyBoundaryReceipt: false,
    paperResult: true,
    effectiveFrom: '2021-01-01',
    ...overrides,
  };
}

/** A same-day certification at one commune. */
function certification(overrides: Record<string, unknown> = {}) {
  return {
    code: '2.000815',
    name: 'Chứng thực bản sao từ bản chính',
    field: { code: 'CT', name: 'Chứng thực' },
    level: 'commune',
    competentAgencyId: '000.17.22.H99',
    limit: { unit: 'same-day' },
    route: [
      step('Tiếp nhận, đối chiếu', '000.17.22.H99', 'counter-officer', 0.5),
      step('Ký chứng thực', '000.17.22.H99', 'agency-admin', 0.5),
    ],
    fee: 2000,
    onlineLevel: 'partial',
    anyBoundaryReceipt: true,
    paperResult: true,
    effectiveFrom: '2015-04-10',
    ...overrides,
  };
}

function province(procedures: unknown[]) {
  const type = (code: string, title: string) => ({
    code,
    name: title,
    titlePatterns: [title.toUpperCase()],
    owner: 'person',
    ownerLabels: ['Số định danh cá nhân'],
    retention: 10,
    mustDigitise: false,
  });
  return {
    province: { slug: 'test', name: 'Tỉnh Thử', code: 'H99' },
    agencies: [
      { id: '000.00.00.H99', name: 'UBND tỉnh', level: 'province', oneStop: false },
      { id: '000.00.01.H99', name: 'Trung tâm Phục vụ hành chính công', level: 'province' },
      { id: '000.00.08.H99', name: 'Sở Xây dựng', level: 'department', oneStop: false },
      { id: '000.09.01.H99', name: 'Phòng Cảnh sát PCCC', level: 'department', oneStop: false },
      { id: '000.00.10.H99', name: 'Sở Nông nghiệp và Môi trường', level: 'department', oneStop: false },
      { id: '000.17.22.H99', name: 'UBND xã Hòa Bình', level: 'commune' },
    ],
    documentTypes: [type('DDN', 'Đơn đề nghị'), type('QSDD', 'Giấy chứng nhận quyền sử dụng đất')],
    signing: { organisation: 'UBND tỉnh Thử' },
    procedures,
  };
}

/** Parses a province with these procedures as JSON; the error message names path and line. */
function errorOf(procedures: unknown[]) {
  const json = JSON.stringify(province(procedures), null, 2);
  return { json, error: configError(() => parseProvinceConfig(json, 'p.json')) };
}

describe('the sample catalogue', () => {
  it('has at least ten procedures, among them same-day, single-agency and inter-agency ones', () => {
    const procedures = sample.procedures;
    expect(procedures.length).toBeGreaterThanOrEqual(10);
    expect(new Set(procedures.map((procedure) => procedure.code)).size).toBeGreaterThanOrEqual(10);

    const sameDay = procedures.find((procedure) => procedure.code === '2.000815');
    expect(sameDay).toMatchObject({ level: 'commune', limit: { unit: 'same-day' }, fee: 2000 });

    const birth = procedures.find((procedure) => procedure.code === '1.001193');
    expect(birth).toMatchObject({ name: 'Đăng ký khai sinh', level: 'commune', resultDocumentType: 'KS' });
    const agenciesOf = (code: string) =>
      new Set(
        procedures
          .find((procedure) => procedure.code === code)
          ?.route.flatMap((s) => (isParallelStep(s) ? s.parallel.map((m) => m.agencyId) : [s.agencyId])),
      );
    expect(agenciesOf('1.001193')).toEqual(new Set(['000.17.22.H99']));

    const permit = procedures.find((procedure) => procedure.code === '1.009994');
    const group = permit?.route.find(isParallelStep);
    expect(group?.parallel.map((member) => member.agencyId)).toEqual(['000.09.01.H99', '000.00.10.H99']);
    expect(agenciesOf('1.009994').size).toBeGreaterThanOrEqual(4);
  });

  it('routes every procedure to known agencies with shares that add up to its limit', () => {
    const agencyIds = new Set(sample.agencies.map((agency) => agency.id));
    for (const procedure of sample.procedures) {
      const total = procedure.route.reduce((sum, s) => sum + stepShare(s), 0);
      expect(total, procedure.code).toBeCloseTo(limitTotal(procedure.limit), 9);
      expect(agencyIds.has(procedure.competentAgencyId), procedure.code).toBe(true);
    }
  });

  it('names the bad route agency with its path and line in the sample file', () => {
    const text = sampleText.replace(
      'name: "Kiểm tra, xác minh tình trạng hôn nhân",\n          agencyId: 000.17.22.H99,',
      'name: "Kiểm tra, xác minh tình trạng hôn nhân",\n          agencyId: 000.99.99.H99,',
    );
    expect(text).not.toBe(sampleText);
    const error = configError(() => parseProvinceConfig(text, 'config/provinces/x.yaml'));
    expect(error.message).toBe(
      `config/provinces/x.yaml: procedures[3].route[1].agencyId (line ${lineNumberOf(text, '000.99.99.H99')}): unknown agency 000.99.99.H99`,
    );
  });
});

describe('catalogue validation', () => {
  it('accepts the inter-agency and same-day procedures', () => {
    const config = parseProvinceConfig(JSON.stringify(province([permit(), certification()])), 'p.json');
    expect(config.procedures.map((procedure) => procedure.code)).toEqual(['1.009994', '2.000815']);
    expect(config.procedures[0]?.components[0]?.reusable).toBe(false);
  });

  it('fails when the shares of the sequential steps do not add up to the limit', () => {
    const route = permit().route.slice(0, -1);
    const { json, error } = errorOf([certification(), permit({ route })]);
    expect(error.message).toBe(
      `p.json: procedures[1].route (line ${lineNumberOf(json, '"route"', 1)}): step shares add up to 19.5, not the limit of 20 working-days`,
    );
  });

  it('fails when a same-day route does not add up to the day', () => {
    const route = [step('Tiếp nhận', '000.17.22.H99', 'counter-officer', 0.5)];
    const { error } = errorOf([certification({ route })]);
    expect(error.issues.map((issue) => `${issue.path}: ${issue.message}`)).toEqual([
      'procedures[0].route: step shares add up to 0.5, not the limit of 1 (same-day)',
    ]);
  });

  it('names an unknown agency in a step, a parallel group and the competent agency', () => {
    const route = permit().route.map((s, index) =>
      index === 2 && 'parallel' in s
        ? { ...s, parallel: [s.parallel[0], { ...s.parallel[1], agencyId: '000.99.99.H99' }] }
        : s,
    );
    const { json, error } = errorOf([
      permit({ route, competentAgencyId: '000.00.77.H99' }),
      certification({ route: [step('Tất cả', '000.17.42.H99', 'processing-officer', 1)] }),
    ]);
    expect(error.issues).toEqual([
      {
        path: 'procedures[0].competentAgencyId',
        line: lineNumberOf(json, '000.00.77.H99'),
        message: 'unknown agency 000.00.77.H99',
      },
      {
        path: 'procedures[0].route[2].parallel[1].agencyId',
        line: lineNumberOf(json, '000.99.99.H99'),
        message: 'unknown agency 000.99.99.H99',
      },
      {
        path: 'procedures[1].route[0].agencyId',
        line: lineNumberOf(json, '000.17.42.H99'),
        message: 'unknown agency 000.17.42.H99',
      },
    ]);
  });

  it('fails on a component whose document type the province does not catalogue', () => {
    const components = [
      { name: 'Đơn đề nghị', documentType: 'DDN', mustDigitise: false },
      { name: 'Bản vẽ thiết kế', documentType: 'BVTK', mustDigitise: true },
    ];
    const { json, error } = errorOf([permit({ components, resultDocumentType: 'GPXD' })]);
    expect(error.message).toBe(
      [
        `p.json: procedures[0].components[1].documentType (line ${lineNumberOf(json, '"BVTK"')}): unknown document type BVTK`,
        `p.json: procedures[0].resultDocumentType (line ${lineNumberOf(json, '"GPXD"')}): unknown document type GPXD`,
      ].join('\n'),
    );
  });

  it('fails when two versions of a procedure are in force on the same day', () => {
    const { json, error } = errorOf([
      permit({ effectiveTo: '2025-06-30' }),
      certification(),
      permit({ effectiveFrom: '2025-06-30' }),
      permit({ effectiveFrom: '2030-01-01' }),
    ]);
    expect(error.issues).toEqual([
      {
        path: 'procedures[2].effectiveFrom',
        line: lineNumberOf(json, '"effectiveFrom": "2025-06-30"'),
        message:
          '1.009994 is already in force from 2021-01-01 to 2025-06-30 (procedures[0]): versions of a procedure must not overlap',
      },
      {
        path: 'procedures[3].effectiveFrom',
        line: lineNumberOf(json, '"effectiveFrom": "2030-01-01"'),
        message:
          '1.009994 is already in force from 2025-06-30 to open end (procedures[2]): versions of a procedure must not overlap',
      },
    ]);
  });

  it('accepts versions that follow each other, and rejects a period that ends before it starts', () => {
    const versions = [permit({ effectiveTo: '2025-06-30' }), permit({ effectiveFrom: '2025-07-01' })];
    expect(parseProvinceConfig(JSON.stringify(province(versions)), 'p.json').procedures).toHaveLength(2);
    const { error } = errorOf([permit({ effectiveTo: '2020-12-31' })]);
    expect(error.issues.map((issue) => `${issue.path}: ${issue.message}`)).toEqual([
      'procedures[0].effectiveTo: must not be before effectiveFrom 2021-01-01',
    ]);
  });

  it('fails on an empty route', () => {
    const { json, error } = errorOf([certification({ route: [] })]);
    expect(error.message).toBe(
      `p.json: procedures[0].route (line ${lineNumberOf(json, '"route": []')}): must have at least one step`,
    );
  });

  it('fails on a parallel group of one agency', () => {
    const route = permit().route.map((s) =>
      'parallel' in s ? { ...s, parallel: [{ ...s.parallel[0], share: 8 }] } : s,
    );
    const { json, error } = errorOf([permit({ route })]);
    expect(error.message).toBe(
      `p.json: procedures[0].route[2].parallel (line ${lineNumberOf(json, '"parallel"')}): a parallel group needs at least two agencies (make a single agency an ordinary step)`,
    );
  });

  it('fails on a parallel group naming one agency twice or carrying its own agency', () => {
    const route = permit().route.map((s) =>
      'parallel' in s
        ? { ...s, share: 8, parallel: [s.parallel[0], { ...s.parallel[0], name: 'Lần hai' }] }
        : s,
    );
    const { error } = errorOf([permit({ route })]);
    expect(error.issues.map((issue) => `${issue.path}: ${issue.message}`)).toEqual([
      'procedures[0].route[2].share: not allowed on a parallel group: set it on each agency under parallel',
      'procedures[0].route[2].parallel[1].agencyId: agency 000.09.01.H99 appears twice in this parallel group',
    ]);
  });

  it('names what a step lacks, unknown fields and roles that do not process', () => {
    const route = [
      { name: 'Tiếp nhận', agencyId: '000.17.22.H99', share: 0.5 },
      { ...step('Ký', '000.17.22.H99', 'auditor', 0.5), deadline: 1 },
    ];
    const { error } = errorOf([certification({ route })]);
    expect(error.issues.map((issue) => `${issue.path}: ${issue.message}`)).toEqual([
      'procedures[0].route[0].role: required (or list the agencies of a parallel group under parallel)',
      'procedures[0].route[1].role: must be one of counter-officer, processing-officer, agency-admin',
      'procedures[0].route[1]: Unrecognized key: "deadline"',
    ]);
  });

  it('checks the competent agency level and counter steps at one-stop agencies', () => {
    const route = [
      step('Tiếp nhận', '000.00.08.H99', 'counter-officer', 0.5),
      step('Ký', '000.17.22.H99', 'agency-admin', 0.5),
    ];
    const { error } = errorOf([certification({ competentAgencyId: '000.00.08.H99', route })]);
    expect(error.issues.map((issue) => `${issue.path}: ${issue.message}`)).toEqual([
      'procedures[0].competentAgencyId: agency 000.00.08.H99 is at department level, not competent for a commune-level procedure',
      'procedures[0].route[0].role: agency 000.00.08.H99 has no one-stop department for a counter-officer',
    ]);
  });

  it('asks to quote a procedure code that YAML read as a number', () => {
    const text = sampleText.replace('  - code: "1.001193"', '  - code: 1.001193');
    const error = configError(() => parseProvinceConfig(text, 'x.yaml'));
    expect(error.message).toBe(
      `x.yaml: procedures[0].code (line ${lineNumberOf(text, '- code: 1.001193')}): must be quoted: YAML reads an unquoted 1.001193 as a number`,
    );
  });

  it('reports a broken agency once, not again on the procedures that name it', () => {
    const text = sampleText.replace('  - id: 000.00.08.H99', '  - id: 000.00.8.H99');
    const error = configError(() => parseProvinceConfig(text, 'x.yaml'));
    expect(error.issues.map((issue) => issue.path)).toEqual(['agencies[4].id']);
  });
});

describe('findProcedure', () => {
  it('picks the version in force on a date', () => {
    const before = findProcedure(sample, '2.000488', '2025-06-30');
    const after = findProcedure(sample, '2.000488', '2025-07-01');
    expect(before).toMatchObject({ found: true, procedure: { competentAgencyId: '000.00.06.H99' } });
    expect(after).toMatchObject({ found: true, procedure: { competentAgencyId: '000.00.09.H99' } });
  });

  it('reads an instant as its date in Vietnam', () => {
    // 17:30 UTC on 30 June is 00:30 on 1 July in Vietnam.
    expect(findProcedure(sample, '2.000488', new Date('2025-06-30T17:30:00Z'))).toMatchObject({
      procedure: { competentAgencyId: '000.00.09.H99' },
    });
    expect(findProcedure(sample, '2.000488', new Date('2025-06-30T16:59:59Z'))).toMatchObject({
      procedure: { competentAgencyId: '000.00.06.H99' },
    });
  });

  it('tells an unknown code from a procedure not in force on that date', () => {
    expect(findProcedure(sample, '1.010008', '2025-06-30')).toEqual({
      found: false,
      reason: 'not-in-force',
      code: '1.010008',
      onDate: '2025-06-30',
    });
    expect(findProcedure(sample, '9.999999', '2025-07-01')).toEqual({
      found: false,
      reason: 'unknown-code',
      code: '9.999999',
      onDate: '2025-07-01',
    });
    expect(findProcedure({ procedures: [] }, '1.001193', '2025-07-01')).toMatchObject({
      reason: 'unknown-code',
    });
  });

  it('refuses something that is not a date', () => {
    expect(() => findProcedure(sample, '1.001193', '1/7/2025')).toThrow(RangeError);
    expect(() => findProcedure(sample, '1.001193', new Date('nonsense'))).toThrow(RangeError);
  });
});
