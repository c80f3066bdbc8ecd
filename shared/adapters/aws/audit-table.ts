/**
 * Key schema of the audit table, shared by the CDK stack and the embedded runtime.
 *
 * Items (nothing but entries, see shared/domain/audit-chain.ts):
 * - `CHAIN#{YYYY-MM-DD}` / `SEQ#{seq, 12 digits}`: entry `seq` of that day's chain, written once
 *   with `attribute_not_exists`; the chain's tail is its last item (a Query, newest first).
 * Indexes, all sorted by `{at}#{seq, 12 digits}` (oldest first):
 * - actorIndex `ACTOR#{userId}`; documentIndex `DOC#{documentId}` (entries about one paper);
 * - actionIndex `ACTION#{action}#{day}`; dayIndex `DAY#{day}` (time ranges, one day per Query).
 */
export const AUDIT_TABLE_SCHEMA = {
  partitionKey: 'pk',
  sortKey: 'sk',
  actorIndex: { name: 'byActor', partitionKey: 'actorPk', sortKey: 'atSk' },
  documentIndex: { name: 'byDocument', partitionKey: 'documentPk', sortKey: 'atSk' },
  actionIndex: { name: 'byAction', partitionKey: 'actionPk', sortKey: 'atSk' },
  dayIndex: { name: 'byDay', partitionKey: 'dayPk', sortKey: 'atSk' },
} as const;

/** Every global secondary index of the audit table (all project every attribute). */
export const AUDIT_TABLE_INDEXES = [
  AUDIT_TABLE_SCHEMA.actorIndex,
  AUDIT_TABLE_SCHEMA.documentIndex,
  AUDIT_TABLE_SCHEMA.actionIndex,
  AUDIT_TABLE_SCHEMA.dayIndex,
] as const;
