/**
 * The HTTP API's routes: the API handler serves exactly these, and the CDK stack puts each one
 * behind the JWT authorizer.
 */
export const API_ROUTES = {
  requestUpload: { method: 'POST', path: '/uploads' },
  listDocuments: { method: 'GET', path: '/documents' },
  getDocument: { method: 'GET', path: '/documents/{documentId}' },
  completeReview: { method: 'POST', path: '/documents/{documentId}/review' },
  searchArchive: { method: 'GET', path: '/archive/documents' },
  readArchiveRecord: { method: 'GET', path: '/archive/documents/{code}' },
  createArchiveExport: { method: 'POST', path: '/archive/exports' },
  readArchiveExport: { method: 'GET', path: '/archive/exports/{exportId}' },
  listAuditEntries: { method: 'GET', path: '/audit/entries' },
  verifyAuditChain: { method: 'GET', path: '/audit/verify' },
  receiveDossier: { method: 'POST', path: '/dossiers' },
  listDossiers: { method: 'GET', path: '/dossiers' },
  getDossier: { method: 'GET', path: '/dossiers/{code}' },
  actOnDossier: { method: 'POST', path: '/dossiers/{code}/actions/{action}' },
  replayPortalSync: { method: 'POST', path: '/portal/replay' },
  readUnitAttention: { method: 'GET', path: '/units/{unitId}/attention' },
  readKpiFigures: { method: 'GET', path: '/kpis' },
  readKpiTrend: { method: 'GET', path: '/kpis/trend' },
  readKpiScorecard: { method: 'GET', path: '/kpis/scorecard' },
  produceKpiReport: { method: 'POST', path: '/kpis/reports' },
  listKpiReports: { method: 'GET', path: '/kpis/reports' },
  downloadKpiReport: { method: 'GET', path: '/kpis/reports/{period}/{format}' },
} as const;

export type ApiRouteName = keyof typeof API_ROUTES;
