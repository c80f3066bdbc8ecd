import { createHash } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsClientSettings } from '#shared/adapters/aws/aws-client-settings.ts';
import { createDynamoDbKpiRollupStore } from '#shared/adapters/aws/dynamodb-kpi-rollup-store.ts';
import { quarterFigures, rateFigure, UNITS } from '#test/support/kpi-report-figures.ts';
import { startTestBackOffice, type TestBackOffice } from '#test/support/start-test-back-office.ts';

/**
 * The KPI API on the embedded runtime: figures written to its DynamoDB as the rollup stores them,
 * read back per scope and period, as a trend and as the 766 scorecard; reports produced, listed
 * and downloaded (and the download audited).
 */

const ON_TIME_LABEL = 'Tỷ lệ hồ sơ giải quyết trước và đúng hạn';

let office: TestBackOffice;
let dynamodb: DynamoDBClient;
const tokens: Record<string, string> = {};

async function call(
  role: string,
  method: 'GET' | 'POST',
  path: string,
  query: Record<string, string> = {},
  body?: unknown,
) {
  const url = new URL(path, office.backOffice.apiUrl);
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
  const response = await fetch(url, {
    method,
    headers: {
      authorization: `Bearer ${tokens[role]}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  // biome-ignore lint/suspicious/noExplicitAny: responses are checked field by field below
  return { status: response.status, body: (await response.json()) as any };
}

beforeAll(async () => {
  office = await startTestBackOffice({ ocrWorkers: 1 });
  const { auth, runtimeConfig } = office.backOffice;
  tokens.admin = await auth.issueLocalToken({ sub: 'kpi-admin', groups: ['province-admin'], agencyId: '' });
  tokens.auditor = await auth.issueLocalToken({ sub: 'kpi-auditor', groups: ['auditor'], agencyId: '' });
  tokens.unitAdmin = await auth.issueLocalToken({
    sub: 'kpi-unit-admin',
    groups: ['agency-admin'],
    agencyId: UNITS.hoaBinh,
  });
  tokens.officer = await auth.issueLocalToken({
    sub: 'kpi-officer',
    groups: ['counter-officer'],
    agencyId: UNITS.hoaBinh,
  });
  dynamodb = new DynamoDBClient(awsClientSettings(runtimeConfig.aws, 'dynamodb'));
  const store = createDynamoDbKpiRollupStore(dynamodb, runtimeConfig.documentsTable);
  await store.putFigures([
    ...quarterFigures('2026-Q4'),
    rateFigure(UNITS.hoaBinh, '2026-10', 'on-time', 8, 10, { atLeast: 80 }),
    rateFigure(UNITS.hoaBinh, '2026-11', 'on-time', 7, 10, { atLeast: 80 }),
  ]);
}, 180_000);

afterAll(async () => {
  dynamodb?.destroy();
  await office?.stop();
});

describe('GET /kpis', () => {
  it("answers the province's figures by default, each with its label, terms, target and rule", async () => {
    const { status, body } = await call('officer', 'GET', '/kpis', { period: '2026-Q4' });
    expect(status).toBe(200);
    expect(body).toMatchObject({ period: '2026-Q4', periodKind: 'quarter', rolledUp: true });
    expect(body.scope).toMatchObject({ scope: 'PROVINCE', kind: 'province' });
    const onTime = body.figures.find((figure: { kpiId: string }) => figure.kpiId === 'on-time');
    expect(onTime).toMatchObject({
      label: ON_TIME_LABEL,
      unit: 'percent',
      numerator: 265,
      denominator: 300,
      target: 80,
      met: true,
      ruleVersion: 'on-time/1',
      computedAt: '2026-12-16T01:00:00.000Z',
    });
    expect(onTime.value).toBeCloseTo(88.33, 2);
  });

  it('answers a unit its own staff ask for, and says when its period is not rolled up', async () => {
    const own = await call('unitAdmin', 'GET', '/kpis', { scope: UNITS.hoaBinh, period: '2026-Q4' });
    expect(own.status).toBe(200);
    expect(own.body.scope).toMatchObject({ kind: 'unit', name: 'Ủy ban nhân dân xã Hòa Bình' });
    expect(own.body.figures.map((figure: { value: number }) => figure.value)).toEqual([90]);
    const missing = await call('officer', 'GET', '/kpis', { scope: UNITS.hoaBinh, period: '2026-Q3' });
    expect(missing).toMatchObject({ status: 200, body: { rolledUp: false, figures: [] } });
  });

  it('refuses other units and levels to a unit’s staff, not to province-wide roles', async () => {
    const other = await call('unitAdmin', 'GET', '/kpis', { scope: UNITS.dongThanh, period: '2026-Q4' });
    expect(other).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
    const level = await call('officer', 'GET', '/kpis', { scope: 'LEVEL#commune', period: '2026-Q4' });
    expect(level.status).toBe(403);
    const auditor = await call('auditor', 'GET', '/kpis', { scope: UNITS.dongThanh, period: '2026-Q4' });
    expect(auditor.status).toBe(200);
    expect(auditor.body.figures[0]).toMatchObject({ kpiId: 'on-time', value: 60, met: false });
  });

  it('answers 400 for a missing or malformed period or scope, 404 for a unit the province does not have', async () => {
    const cases: [Record<string, string>, number, string][] = [
      [{}, 400, 'INVALID_PERIOD'],
      [{ period: '2026-13' }, 400, 'INVALID_PERIOD'],
      [{ period: '2026-Q4', scope: 'somewhere' }, 400, 'INVALID_SCOPE'],
      [{ period: '2026-Q4', scope: 'LEVEL#hamlet' }, 400, 'INVALID_SCOPE'],
      [{ period: '2026-Q4', limit: '3' }, 400, 'UNKNOWN_PARAMETER'],
      [{ period: '2026-Q4', scope: '000.17.99.H99' }, 404, 'NOT_FOUND'],
    ];
    for (const [query, status, code] of cases) {
      const answer = await call('admin', 'GET', '/kpis', query);
      expect(answer, JSON.stringify(query)).toMatchObject({ status, body: { error: { code } } });
      expect(answer.body.error.message).toEqual(expect.any(String));
    }
  });
});

describe('GET /kpis/trend', () => {
  it('answers one KPI over consecutive periods, the ones not rolled up marked so', async () => {
    const { status, body } = await call('officer', 'GET', '/kpis/trend', {
      kpi: 'on-time',
      scope: UNITS.hoaBinh,
      from: '2026-10',
      to: '2026-12',
    });
    expect(status).toBe(200);
    expect(body.kpi).toMatchObject({ id: 'on-time', label: ON_TIME_LABEL });
    expect(
      body.points.map((point: { period: string; rolledUp: boolean; figure?: { value: number } }) => [
        point.period,
        point.rolledUp,
        point.figure?.value,
      ]),
    ).toEqual([
      ['2026-10', true, 80],
      ['2026-11', true, 70],
      ['2026-12', false, undefined],
    ]);
  });

  it('refuses mixed kinds, reversed or over-long ranges and unknown KPIs', async () => {
    const cases: [Record<string, string>, string][] = [
      [{ kpi: 'on-time', from: '2026-01', to: '2026-Q4' }, 'PERIOD_KINDS_DIFFER'],
      [{ kpi: 'on-time', from: '2026-12', to: '2026-01' }, 'INVALID_PERIOD_RANGE'],
      [{ kpi: 'on-time', from: '2020-01', to: '2026-12' }, 'TOO_MANY_PERIODS'],
      [{ kpi: 'happiness', from: '2026-01', to: '2026-12' }, 'INVALID_KPI'],
    ];
    for (const [query, code] of cases) {
      const answer = await call('admin', 'GET', '/kpis/trend', query);
      expect(answer, JSON.stringify(query)).toMatchObject({ status: 400, body: { error: { code } } });
    }
    const forbidden = await call('officer', 'GET', '/kpis/trend', {
      kpi: 'on-time',
      scope: UNITS.dongThanh,
      from: '2026-10',
      to: '2026-12',
    });
    expect(forbidden.status).toBe(403);
  });
});

describe('GET /kpis/scorecard', () => {
  it('scores the 766 index from the stored figures and names what it cannot measure', async () => {
    const { status, body } = await call('auditor', 'GET', '/kpis/scorecard', { period: '2026-Q4' });
    expect(status).toBe(200);
    expect(body).toMatchObject({ rolledUp: true, maxPoints: 100 });
    const indicators = body.groups.flatMap((group: { indicators: unknown[] }) => group.indicators);
    const byId = new Map(indicators.map((indicator: { id: string }) => [indicator.id, indicator]));
    expect(byId.get('2.1')).toMatchObject({ status: 'scored', label: 'Hồ sơ giải quyết trước và đúng hạn' });
    expect((byId.get('2.1') as { points: number }).points).toBeCloseTo((20 * 265) / 300, 6);
    // 40 % online against a full mark at 50 %: 6 × 40 ÷ 50.
    expect((byId.get('3.3') as { points: number }).points).toBeCloseTo(4.8, 6);
    expect(byId.get('4.1')).toMatchObject({ status: 'no-data' });
    expect(body.notMeasured.map((indicator: { id: string }) => indicator.id)).toEqual(
      expect.arrayContaining(['1.1', '1.2', '1.3', '3.5', '5.4']),
    );
    expect(body.points).toBeCloseTo((20 * 265) / 300 + 4.8, 6);
  });

  it("answers an empty scorecard for a period not rolled up, and a unit's to its staff only", async () => {
    const empty = await call('officer', 'GET', '/kpis/scorecard', { scope: UNITS.hoaBinh, period: '2025' });
    expect(empty).toMatchObject({ status: 200, body: { rolledUp: false, points: 0 } });
    const other = await call('officer', 'GET', '/kpis/scorecard', { scope: UNITS.dongThanh, period: '2025' });
    expect(other.status).toBe(403);
    const unknown = await call('admin', 'GET', '/kpis/scorecard', { scope: '000.17.99.H99', period: '2025' });
    expect(unknown.status).toBe(404);
  });
});

describe('KPI reports', () => {
  it('produces a quarter on demand, again to the same objects, lists it and hands out an audited download', async () => {
    const first = await call('admin', 'POST', '/kpis/reports', {}, { period: '2026-Q4' });
    expect(first.status).toBe(201);
    expect(first.body.report).toMatchObject({ period: '2026-Q4', kind: 'quarter', rolledUp: true });
    const again = await call('admin', 'POST', '/kpis/reports', {}, { period: '2026-Q4' });
    expect(again.body.report.files.pdf.key).toBe(first.body.report.files.pdf.key);
    expect(again.body.report.files.xlsx.key).toBe(first.body.report.files.xlsx.key);

    const listed = await call('auditor', 'GET', '/kpis/reports');
    expect(listed.status).toBe(200);
    expect(listed.body.reports.map((report: { period: string }) => report.period)).toEqual(['2026-Q4']);

    const download = await call('auditor', 'GET', '/kpis/reports/2026-Q4/pdf');
    expect(download.status).toBe(200);
    const bytes = await office.api.download(download.body.report.downloadUrl);
    expect(new TextDecoder().decode(bytes.subarray(0, 5))).toBe('%PDF-');
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(again.body.report.files.pdf.sha256);

    const audit = await call('auditor', 'GET', '/audit/entries', { action: 'download' });
    expect(audit.status).toBe(200);
    expect(audit.body.entries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          actor: 'kpi-auditor',
          outcome: 'allowed',
          target: { report: 'kpi/2026-Q4.pdf' },
        }),
      ]),
    );
  });

  it('answers 404 for a period never produced, 400 for a bad period or format, 403 to the wrong roles', async () => {
    expect((await call('admin', 'GET', '/kpis/reports/2025/xlsx')).status).toBe(404);
    const month = await call('admin', 'POST', '/kpis/reports', {}, { period: '2026-11' });
    expect(month).toMatchObject({ status: 400, body: { error: { code: 'INVALID_REPORT_PERIOD' } } });
    const format = await call('admin', 'GET', '/kpis/reports/2026-Q4/docx');
    expect(format).toMatchObject({ status: 400, body: { error: { code: 'INVALID_FORMAT' } } });
    expect((await call('auditor', 'POST', '/kpis/reports', {}, { period: '2026-Q4' })).status).toBe(403);
    expect((await call('unitAdmin', 'GET', '/kpis/reports')).status).toBe(403);
    expect((await call('officer', 'GET', '/kpis/reports/2026-Q4/pdf')).status).toBe(403);
    // The refused download is recorded as such.
    const audit = await call('auditor', 'GET', '/audit/entries', { actor: 'kpi-officer', outcome: 'denied' });
    expect(audit.body.entries).toEqual([
      expect.objectContaining({
        action: 'download',
        reason: 'FORBIDDEN',
        target: { report: 'kpi/2026-Q4.pdf' },
      }),
    ]);
  });
});
