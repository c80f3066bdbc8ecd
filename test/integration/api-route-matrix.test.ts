import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_ROUTES, type ApiRouteName } from '#functions/api/api-routes.ts';
import { loadLocalAuth } from '#infra/local/local-auth.ts';
import { renderPaperPng, samplePaper } from '#test/support/make-test-scans.ts';
import { startTestBackOffice, type TestBackOffice } from '#test/support/start-test-back-office.ts';

/**
 * Every route of the API, every role, and callers without a (valid) token: the status each gets,
 * in the API's one error format. The table below is the specification, written by hand: it is
 * not derived from the authorisation policy, so a change of the policy (or a new route, which
 * has no row yet) fails here until someone decides what it should be.
 */

const ROLE_ORDER = [
  'counter-officer',
  'processing-officer',
  'agency-admin',
  'province-admin',
  'auditor',
] as const;
type Role = (typeof ROLE_ORDER)[number];
type Row = Record<Role, number>;

/** Statuses in ROLE_ORDER: counter officer, processing officer, agency admin, province admin, auditor. */
const row = (...statuses: [number, number, number, number, number]): Row =>
  Object.fromEntries(ROLE_ORDER.map((role, index) => [role, statuses[index]])) as Row;

/** The agency of the officers and agency admin (a commune's one-stop unit). */
const OWN = '000.17.22.H99';
/** Another commune's one-stop unit, whose papers and dossiers the officers above must not see. */
const OTHER = '000.17.23.H99';
const OWNER_ID = samplePaper('KS').ownerId;

/** What the test set up: an archived paper and a dossier of each agency, each user's export. */
interface Fixtures {
  paper: { own: { documentId: string; code: string }; other: { documentId: string; code: string } };
  dossier: { own: string; other: string };
  /** An export made by each role that may export, by role. */
  exports: Partial<Record<Role, string>>;
}

interface Request {
  params?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
}

interface RouteSpec {
  /** A well-formed request about the caller's own agency (or the province, for province-wide routes). */
  own: (fixtures: Fixtures, caller: Role) => Request;
  /**
   * The same about another agency's resource: 404 where the design hides that it exists, 403 where
   * the caller names the other agency itself. Absent for routes about no agency.
   */
  other?: (fixtures: Fixtures, caller: Role) => Request;
  /** A request the route cannot accept from anyone: 400 for a role the route serves, 403 for the others. */
  malformed: (fixtures: Fixtures, caller: Role) => Request;
  expect: { own: Row; other?: Row; malformed: Row };
}

let sequence = 0;
const key = (what: string) => `matrix-${what}-${++sequence}-${Date.now()}`;
const dossierRequest = (receivingUnitId: string) => ({
  idempotencyKey: key('intake'),
  procedureCode: '1.000894',
  channel: 1,
  receivingUnitId,
  owner: { kind: 1, id: OWNER_ID, name: 'Nguyễn Thị Hoa' },
});
const uploadRequest = (agencyId: string) => ({
  agencyId,
  mediaType: 'image/png',
  size: 2048,
  sha256: 'a'.repeat(64),
});

/** The specification. Rows read: counter officer, processing officer, agency admin, province admin, auditor. */
const MATRIX: Record<ApiRouteName, RouteSpec> = {
  requestUpload: {
    own: () => ({ body: uploadRequest(OWN) }),
    other: () => ({ body: uploadRequest(OTHER) }),
    malformed: () => ({ body: { agencyId: OWN } }),
    expect: {
      own: row(201, 201, 201, 201, 403),
      other: row(403, 403, 403, 201, 403),
      malformed: row(400, 400, 400, 400, 403),
    },
  },
  listDocuments: {
    own: () => ({ query: { status: 'ARCHIVED' } }),
    other: () => ({ query: { status: 'ARCHIVED', agencyId: OTHER } }),
    malformed: () => ({ query: { status: 'LOST' } }),
    expect: {
      own: row(403, 200, 200, 200, 200),
      other: row(403, 403, 403, 200, 200),
      malformed: row(403, 400, 400, 400, 400),
    },
  },
  getDocument: {
    own: (f) => ({ params: { documentId: f.paper.own.documentId } }),
    other: (f) => ({ params: { documentId: f.paper.other.documentId } }),
    malformed: (f) => ({ params: { documentId: f.paper.own.documentId }, query: { download: 'perhaps' } }),
    expect: {
      own: row(200, 200, 200, 200, 200),
      other: row(404, 404, 404, 200, 200),
      malformed: row(400, 400, 400, 400, 400),
    },
  },
  completeReview: {
    // An archived paper is past review: a caller the route lets through meets its state (409).
    own: (f) => ({
      params: { documentId: f.paper.own.documentId },
      body: { docType: 'KS', ownerId: OWNER_ID },
    }),
    other: (f) => ({
      params: { documentId: f.paper.other.documentId },
      body: { docType: 'KS', ownerId: OWNER_ID },
    }),
    malformed: (f) => ({ params: { documentId: f.paper.own.documentId }, body: {} }),
    expect: {
      own: row(403, 409, 409, 409, 403),
      other: row(403, 404, 404, 409, 403),
      malformed: row(403, 400, 400, 400, 403),
    },
  },
  searchArchive: {
    own: () => ({ query: { docType: 'KS' } }),
    other: () => ({ query: { docType: 'KS', agencyId: OTHER } }),
    malformed: () => ({ query: { limit: '5' } }),
    expect: {
      own: row(403, 403, 200, 200, 200),
      other: row(403, 403, 403, 200, 200),
      malformed: row(403, 403, 400, 400, 400),
    },
  },
  readArchiveRecord: {
    own: (f) => ({ params: { code: f.paper.own.code } }),
    other: (f) => ({ params: { code: f.paper.other.code } }),
    malformed: (f) => ({ params: { code: f.paper.own.code }, query: { verify: 'maybe' } }),
    expect: {
      own: row(200, 200, 200, 200, 200),
      other: row(404, 404, 404, 200, 200),
      malformed: row(400, 400, 400, 400, 400),
    },
  },
  createArchiveExport: {
    own: () => ({ body: { ownerId: OWNER_ID, docType: 'KS', agencyId: OWN } }),
    malformed: () => ({ body: { docType: 'KS', limit: '10' } }),
    expect: {
      own: row(403, 403, 403, 201, 201),
      malformed: row(403, 403, 403, 400, 400),
    },
  },
  readArchiveExport: {
    // Only the user who made an export may fetch it again: another user's is as absent as none.
    own: (f, caller) => ({ params: { exportId: f.exports[caller] ?? f.exports.auditor ?? '' } }),
    other: (f, caller) => ({
      params: { exportId: (caller === 'auditor' ? f.exports['province-admin'] : f.exports.auditor) ?? '' },
    }),
    malformed: () => ({ params: { exportId: 'not-an-export' } }),
    expect: {
      own: row(403, 403, 403, 200, 200),
      other: row(403, 403, 403, 404, 404),
      malformed: row(403, 403, 403, 400, 400),
    },
  },
  listAuditEntries: {
    own: () => ({ query: { action: 'read' } }),
    malformed: () => ({ query: { action: 'delete' } }),
    expect: {
      own: row(403, 403, 403, 200, 200),
      malformed: row(403, 403, 403, 400, 400),
    },
  },
  verifyAuditChain: {
    own: () => ({}),
    malformed: () => ({ query: { from: 'last tuesday' } }),
    expect: {
      own: row(403, 403, 403, 200, 200),
      malformed: row(403, 403, 403, 400, 400),
    },
  },
  receiveDossier: {
    own: () => ({ body: dossierRequest(OWN) }),
    other: () => ({ body: dossierRequest(OTHER) }),
    malformed: () => ({ body: { receivingUnitId: OWN } }),
    expect: {
      own: row(201, 403, 403, 201, 403),
      other: row(403, 403, 403, 201, 403),
      malformed: row(400, 403, 403, 400, 403),
    },
  },
  listDossiers: {
    // Agency staff list their own agency's queues; naming another agency is refused, not hidden.
    own: () => ({ query: {} }),
    other: () => ({ query: { unit: OTHER } }),
    malformed: () => ({ query: { status: '99' } }),
    expect: {
      own: row(200, 200, 200, 200, 200),
      other: row(403, 403, 403, 200, 200),
      malformed: row(400, 400, 400, 400, 400),
    },
  },
  readUnitAttention: {
    own: () => ({ params: { unitId: OWN } }),
    other: () => ({ params: { unitId: OTHER } }),
    malformed: () => ({ params: { unitId: 'not-a-unit' } }),
    expect: {
      own: row(200, 200, 200, 200, 200),
      other: row(403, 403, 403, 200, 200),
      malformed: row(400, 400, 400, 400, 400),
    },
  },
  getDossier: {
    own: (f) => ({ params: { code: f.dossier.own } }),
    other: (f) => ({ params: { code: f.dossier.other } }),
    malformed: () => ({ params: { code: 'not-a-dossier' } }),
    expect: {
      own: row(200, 200, 200, 200, 200),
      other: row(404, 404, 404, 200, 200),
      malformed: row(400, 400, 400, 400, 400),
    },
  },
  actOnDossier: {
    // Rating is the receiving counter's, and only once the result is returned: 409 before that.
    own: (f) => ({
      params: { code: f.dossier.own, action: 'rate' },
      body: { idempotencyKey: key('rate'), score: 5 },
    }),
    other: (f) => ({
      params: { code: f.dossier.other, action: 'rate' },
      body: { idempotencyKey: key('rate'), score: 5 },
    }),
    malformed: (f) => ({ params: { code: f.dossier.own, action: 'rate' }, body: { score: 5 } }),
    expect: {
      own: row(409, 403, 403, 409, 403),
      other: row(404, 404, 404, 409, 403),
      malformed: row(400, 400, 400, 400, 403),
    },
  },
  readKpiFigures: {
    // Nothing is rolled up in this office: a well-formed request answers an empty list, not an error.
    own: () => ({ query: { scope: OWN, period: '2026-Q4' } }),
    other: () => ({ query: { scope: OTHER, period: '2026-Q4' } }),
    malformed: () => ({ query: { scope: OWN, period: '2026-Q5' } }),
    expect: {
      own: row(200, 200, 200, 200, 200),
      other: row(403, 403, 403, 200, 200),
      malformed: row(400, 400, 400, 400, 400),
    },
  },
  readKpiTrend: {
    own: () => ({ query: { kpi: 'on-time', scope: OWN, from: '2026-01', to: '2026-12' } }),
    other: () => ({ query: { kpi: 'on-time', scope: OTHER, from: '2026-01', to: '2026-12' } }),
    malformed: () => ({ query: { kpi: 'on-time', scope: OWN, from: '2026-01', to: '2026-Q4' } }),
    expect: {
      own: row(200, 200, 200, 200, 200),
      other: row(403, 403, 403, 200, 200),
      malformed: row(400, 400, 400, 400, 400),
    },
  },
  readKpiScorecard: {
    own: () => ({ query: { scope: OWN, period: '2026' } }),
    other: () => ({ query: { scope: OTHER, period: '2026' } }),
    malformed: () => ({ query: { scope: OWN } }),
    expect: {
      own: row(200, 200, 200, 200, 200),
      other: row(403, 403, 403, 200, 200),
      malformed: row(400, 400, 400, 400, 400),
    },
  },
  produceKpiReport: {
    own: () => ({ body: { period: '2026-Q3' } }),
    malformed: () => ({ body: { period: '2026-11' } }),
    expect: {
      own: row(403, 403, 403, 201, 403),
      malformed: row(403, 403, 403, 400, 403),
    },
  },
  listKpiReports: {
    own: () => ({}),
    malformed: () => ({ query: { limit: '5' } }),
    expect: {
      own: row(403, 403, 403, 200, 200),
      malformed: row(403, 403, 403, 400, 400),
    },
  },
  downloadKpiReport: {
    // A report shows every unit of the province: province-wide roles only.
    own: () => ({ params: { period: '2026-Q4', format: 'pdf' } }),
    malformed: () => ({ params: { period: '2026-Q4', format: 'docx' } }),
    expect: {
      own: row(403, 403, 403, 200, 200),
      malformed: row(403, 403, 403, 400, 400),
    },
  },
  replayPortalSync: {
    own: () => ({ body: { from: new Date(Date.now() - 60_000).toISOString() } }),
    malformed: () => ({ body: {} }),
    expect: {
      own: row(403, 403, 403, 202, 403),
      malformed: row(403, 403, 403, 400, 403),
    },
  },
};

const UNAUTHENTICATED = ['no token', 'not a JWT', 'expired', 'signed by another key'] as const;

let office: TestBackOffice;
let fixtures: Fixtures;
const tokens = {} as Record<Role | (typeof UNAUTHENTICATED)[number], string | undefined>;

function pathOf(name: ApiRouteName, params: Record<string, string> = {}): string {
  return API_ROUTES[name].path.replace(/\{(\w+)\}/g, (_, param: string) => {
    const value = params[param];
    if (value === undefined) throw new Error(`${name}: no value for {${param}}`);
    return encodeURIComponent(value);
  });
}

async function send(name: ApiRouteName, request: Request, token: string | undefined) {
  const url = new URL(pathOf(name, request.params), office.backOffice.apiUrl);
  for (const [param, value] of Object.entries(request.query ?? {})) url.searchParams.set(param, value);
  const response = await fetch(url, {
    method: API_ROUTES[name].method,
    headers: {
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: request.body === undefined ? undefined : JSON.stringify(request.body),
  });
  const body = (await response.json()) as unknown;
  return { status: response.status, body };
}

/** Every refusal and bad request is `{error: {code, message}}`, with the code its status implies. */
function expectErrorFormat(status: number, body: unknown, where: string): void {
  if (status < 400) return;
  const codes: Record<number, string> = { 401: 'UNAUTHENTICATED', 403: 'FORBIDDEN', 404: 'NOT_FOUND' };
  const error = (body as { error?: { code?: unknown; message?: unknown } }).error;
  expect(error, `${where}: ${JSON.stringify(body)}`).toEqual(
    expect.objectContaining({
      code: codes[status] ?? expect.stringMatching(/^[A-Z][A-Z0-9_]+$/),
      message: expect.any(String),
    }),
  );
}

async function archivePaper(agencyId: string, bytes: Uint8Array) {
  const ticket = await office.api.upload(bytes, { agencyId, mediaType: 'image/png' });
  const { document } = await office.api.waitUntilSettled(ticket.documentId);
  if (document.status !== 'ARCHIVED' || !document.code) {
    throw new Error(`the fixture paper of ${agencyId} ended ${document.status}`);
  }
  return { documentId: document.documentId, code: document.code };
}

beforeAll(async () => {
  office = await startTestBackOffice();
  const { auth } = office.backOffice;
  for (const role of ROLE_ORDER) {
    const agencyId = role === 'province-admin' || role === 'auditor' ? '' : OWN;
    tokens[role] = await auth.issueLocalToken({ sub: `matrix-${role}`, groups: [role], agencyId });
  }
  tokens['no token'] = undefined;
  tokens['not a JWT'] = 'not-a-jwt';
  tokens.expired = await auth.issueLocalToken({ sub: 'late', groups: ['auditor'], agencyId: '', ttl: -60 });
  const foreignDir = await mkdtemp(join(tmpdir(), 'motcua-foreign-auth-'));
  tokens['signed by another key'] = await (await loadLocalAuth(foreignDir)).issueLocalToken({
    sub: 'intruder',
    groups: ['province-admin'],
    agencyId: '',
  });
  await rm(foreignDir, { recursive: true, force: true });

  // One small scan, archived once for each agency (the second gets the next code of the owner).
  const scan = await renderPaperPng(samplePaper('KS'));
  const own = await archivePaper(OWN, scan);
  const other = await archivePaper(OTHER, scan);
  const received = async (unit: string) =>
    (await office.api.receiveDossier(dossierRequest(unit) as never)).dossier.code;
  fixtures = {
    paper: { own, other },
    dossier: { own: await received(OWN), other: await received(OTHER) },
    exports: {},
  };
  const report = await send('produceKpiReport', { body: { period: '2026-Q4' } }, tokens['province-admin']);
  if (report.status !== 201) throw new Error(`the fixture KPI report: ${JSON.stringify(report.body)}`);
  for (const role of ['auditor', 'province-admin'] as const) {
    const made = await send('createArchiveExport', { body: { code: own.code } }, tokens[role]);
    fixtures.exports[role] = (made.body as { export: { exportId: string } }).export.exportId;
  }
}, 180_000);

afterAll(async () => {
  await office?.stop();
});

describe('the route × role matrix', () => {
  it('has a row for every route the API serves, and no row for a route it does not', () => {
    expect(Object.keys(MATRIX).sort()).toEqual(Object.keys(API_ROUTES).sort());
  });

  for (const name of Object.keys(API_ROUTES) as ApiRouteName[]) {
    it(`${API_ROUTES[name].method} ${API_ROUTES[name].path}`, async () => {
      const spec = MATRIX[name];
      expect(spec, `no matrix row for ${name}`).toBeDefined();
      for (const caller of UNAUTHENTICATED) {
        const { status, body } = await send(name, spec.own(fixtures, 'auditor'), tokens[caller]);
        expect(status, `${name} with ${caller}`).toBe(401);
        expectErrorFormat(status, body, `${name} with ${caller}`);
      }
      const cases = (['own', 'other', 'malformed'] as const).filter((which) => spec.expect[which]);
      const actual: Partial<Record<(typeof cases)[number], Row>> = {};
      for (const which of cases) {
        const build = spec[which];
        if (!build) throw new Error(`${name}: an expectation for ${which} without its request`);
        const statuses = {} as Row;
        for (const role of ROLE_ORDER) {
          const { status, body } = await send(name, build(fixtures, role), tokens[role]);
          statuses[role] = status;
          expectErrorFormat(status, body, `${name} ${which} as ${role}`);
        }
        actual[which] = statuses;
      }
      expect(actual).toEqual(spec.expect);
    });
  }
});
