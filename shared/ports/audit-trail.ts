/**
 * The audit trail: who read, searched, verified, downloaded or exported what in the archive, and
 * every attempt that was refused. Recorded before anything is handed out; append-only; each entry
 * carries the previous entry's hash (see shared/domain/audit-chain.ts for the chain and its hashes).
 */

/** What was done, or attempted. */
export const AUDIT_ACTIONS = ['search', 'read', 'download', 'verify', 'export'] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** What an entry is about: a paper (id, code), or a search (its criteria and how many hits it gave). */
export interface AuditTarget {
  documentId?: string;
  code?: string;
  /** A search's criteria, as given (cursor and limit included). */
  query?: Record<string, string>;
  /** How many hits the search handed out (an export: how many papers it packed). */
  hits?: number;
  /** An export package's id. */
  exportId?: string;
  /** The digitised codes of the papers an export packed. */
  codes?: string[];
  /** A KPI report's file, e.g. `kpi/2026-Q4.pdf`. */
  report?: string;
}

/** Where a request came from, when the API knows it. */
export interface AuditSource {
  ip?: string;
  userAgent?: string;
}

/** One thing to record, as a use case sees it. */
export interface AuditRecord {
  /** The user's id (the token's `sub`). */
  actor: string;
  roles: string[];
  agencyId?: string;
  action: AuditAction;
  target: AuditTarget;
  /** ISO instant. */
  at: string;
  source?: AuditSource;
  outcome: 'allowed' | 'denied';
  /** Why an attempt was denied (`FORBIDDEN`, `NOT_FOUND`: another agency's paper). */
  reason?: string;
}

/**
 * A recorded entry: the record, its place in its chain (one chain per UTC day, `2026-11-22`;
 * `seq` from 1 without gaps), the previous entry's hash (the day's genesis value for seq 1), a
 * digest of each recorded field, and its own hash over all of that.
 */
export interface AuditEntry extends AuditRecord {
  /** `{chain}/{seq}`, e.g. `2026-11-22/17`. */
  entryId: string;
  chain: string;
  seq: number;
  prevHash: string;
  /** SHA-256 (base64url) of each recorded field's canonical JSON, by field name. */
  digests: Record<string, string>;
  /** SHA-256 (hex) of the canonical JSON of everything above. */
  hash: string;
}

/** A search of the trail; every criterion optional; `from`/`to` ISO instants, inclusive. */
export interface AuditQuery {
  actor?: string;
  documentId?: string;
  action?: AuditAction;
  outcome?: 'allowed' | 'denied';
  from: string;
  to: string;
  limit: number;
  cursor?: string;
}

export interface AuditTrail {
  /**
   * Appends the record at the end of its day's chain (by `record.at`) and returns the entry;
   * never overwrites one (concurrent writers each get their own sequence number).
   */
  append(record: AuditRecord): Promise<AuditEntry>;
  /**
   * One page of entries matching the query, oldest first, from keys and indexes (never a scan).
   * A cursor of another query fails with ValidationError INVALID_CURSOR.
   */
  listEntries(query: AuditQuery): Promise<{ items: AuditEntry[]; cursor?: string }>;
  /** Entries of one chain with `seq > afterSeq`, in sequence order, as stored (for verification). */
  readChain(chain: string, options: { afterSeq: number; limit: number }): Promise<AuditEntry[]>;
}
