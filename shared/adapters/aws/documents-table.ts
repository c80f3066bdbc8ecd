/**
 * Key schema of the documents table, shared by the CDK stack and the embedded runtime so
 * that both create the same table.
 *
 * Items:
 * - `DOC#{documentId}` / `DOC`: the document record, in two indexes ordered by its last change:
 *   gsi1 `STATUS#{status}` / `{updatedAt}#{documentId}` (province-wide lists, the reconciler) and
 *   gsi2 `AGENCY#{agencyId}#STATUS#{status}` / `{updatedAt}#{documentId}` (an agency's queue, so
 *   that a page of it is a page of that agency's documents, never a filtered province-wide page)
 * - `SEQ#{ownerId}#{docType}` / `SEQ`: the per-owner, per-type code counter
 * - `CODE#{code}` / `CODE`: the claim of a digitised code and its archive entry
 * - `OWNER#{ownerId}` / `CODE#{code}` and `DOSSIER#{dossierId}` / `CODE#{code}`: archive index
 * - `DOSSIER#{code}` / `DOSSIER`: a dossier (see dynamodb-dossier-repository.ts), in gsi1
 *   `DOSSIER#STATUS#{status}` and gsi2 `DOSSIER#UNIT#{competentAgencyId}#STATUS#{status}`, both
 *   ordered `{dueAt}#{code}`
 * - `DOSSIER#{code}` / `QUEUE#RECEIVED` and `QUEUE#STEP#{stepId}`: the dossier's summary in its
 *   receiving unit's list (gsi2 `DOSSIER#RECEIVED#{unitId}#STATUS#{status}`) and, while a step is
 *   open, in its agency's list (gsi2 `DOSSIER#STEPS#{agencyId}#STATUS#{status}`) and the open steps
 *   by due date (gsi1 `DOSSIER#OPENSTEPS` / `{stepDueAt}#{code}#{stepId}`)
 * - `ATTENTION#{unitId}` / `DAY#{yyyy-MM-dd}#PART#{nnnn}`: a unit's attention list of a day (part
 *   0 says how many parts it has), replaced by each sweep of that day
 * - `DOSSIERSEQ#{unitId}#{yyMMdd}` / `SEQ`: a receiving unit's dossier counter of a day (ADD)
 * - `KPIDAY#{yyyy-MM-dd}` / `DOSSIER#{code}`: a dossier filed under a local day its events touch
 *   (kpiDaysOf), written on every create and save; a day's KPI rollup reads that partition only
 * - `KPI#{scope}#{period}` / `{kpiId}`: a KPI figure of a unit (or the province) over a day
 *   `yyyy-MM-dd`, month `yyyy-MM`, quarter `yyyy-Qn` or year `yyyy` (dynamodb-kpi-rollup-store.ts)
 * - `IDEMPOTENCY#{key}` / `IDEMPOTENCY`: an intake command's key, request hash, dossier code, answer
 * - `KPISIMULATION` / `YEAR#{yyyy}`: the seed and size of the simulated year `npm run kpi:simulate`
 *   loaded into an embedded runtime (never in AWS)
 *
 * `ttlAttribute` (epoch seconds) is the table's DynamoDB TTL attribute: set on AWAITING_UPLOAD
 * records so unused upload requests expire, removed when processing starts. The embedded
 * runtime (dynalite) has no TTL, so nothing expires there.
 */
export const DOCUMENTS_TABLE_SCHEMA = {
  partitionKey: 'pk',
  sortKey: 'sk',
  statusIndex: { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
  agencyStatusIndex: { name: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
  ttlAttribute: 'expiresAt',
} as const;

/** Every global secondary index of the documents table (all project every attribute). */
export const DOCUMENTS_TABLE_INDEXES = [
  DOCUMENTS_TABLE_SCHEMA.statusIndex,
  DOCUMENTS_TABLE_SCHEMA.agencyStatusIndex,
] as const;
