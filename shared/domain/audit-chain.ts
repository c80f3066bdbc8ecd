import { createHash } from 'node:crypto';
import type { AuditEntry, AuditRecord } from '#shared/ports/audit-trail.ts';

/**
 * The audit trail's hash chain.
 *
 * One chain per UTC day (`chain` = `YYYY-MM-DD` of the entry's `at`), numbered from 1 without gaps.
 * Each entry stores a digest of each recorded field (so a changed field can be named) and
 * `hash` = SHA-256 of the canonical JSON of `{ chain, seq, prevHash, digests }`, where `prevHash`
 * is the previous entry's `hash` (for seq 1, the day's genesis value). Changing a field breaks
 * its digest; changing a digest breaks the entry's hash; recomputing the hash breaks the next
 * entry's `prevHash`; deleting an entry leaves a gap in `seq`. What a chain cannot show by itself
 * is a day's last entries cut off, or a whole day rewritten: that needs the chain head anchored
 * outside the table (signed and written to WORM storage).
 */

/** The record's fields, each with its own digest. */
export const RECORD_FIELDS = [
  'actor',
  'roles',
  'agencyId',
  'action',
  'target',
  'at',
  'source',
  'outcome',
  'reason',
] as const satisfies readonly (keyof AuditRecord)[];

/** JSON with object keys sorted at every level and undefined members left out: one text per value. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item ?? null)).join(',')}]`;
  const members = Object.entries(value as Record<string, unknown>)
    .filter(([, member]) => member !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, member]) => `${JSON.stringify(key)}:${canonicalJson(member)}`);
  return `{${members.join(',')}}`;
}

/** The chain an instant belongs to: its UTC day. */
export function chainOf(at: string): string {
  return new Date(at).toISOString().slice(0, 10);
}

/** The chains (UTC days) from `from`'s to `to`'s, inclusive; `from` and `to` are instants or days. */
export function chainsBetween(from: string, to: string): string[] {
  const days: string[] = [];
  const last = chainOf(to);
  for (let day = new Date(`${chainOf(from)}T00:00:00.000Z`); ; day.setUTCDate(day.getUTCDate() + 1)) {
    const name = day.toISOString().slice(0, 10);
    if (name > last) break;
    days.push(name);
  }
  return days;
}

/** The `prevHash` of a chain's first entry. */
export function genesisHash(chain: string): string {
  return sha256Hex(`motcua-audit-genesis:${chain}`);
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function fieldDigest(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value), 'utf8').digest('base64url');
}

function digestsOf(record: Partial<AuditRecord>): Record<string, string> {
  const digests: Record<string, string> = {};
  for (const field of RECORD_FIELDS) {
    if (record[field] !== undefined) digests[field] = fieldDigest(record[field]);
  }
  return digests;
}

function hashOf(entry: Pick<AuditEntry, 'chain' | 'seq' | 'prevHash' | 'digests'>): string {
  const { chain, seq, prevHash, digests } = entry;
  return sha256Hex(canonicalJson({ chain, seq, prevHash, digests }));
}

/** The record as entry `seq` of `chain`, after an entry whose hash is `prevHash`. */
export function sealEntry(record: AuditRecord, chain: string, seq: number, prevHash: string): AuditEntry {
  const fields = Object.fromEntries(
    RECORD_FIELDS.flatMap((field) => (record[field] === undefined ? [] : [[field, record[field]]])),
  ) as unknown as AuditRecord;
  const digests = digestsOf(fields);
  return {
    ...fields,
    entryId: `${chain}/${seq}`,
    chain,
    seq,
    prevHash,
    digests,
    hash: hashOf({ chain, seq, prevHash, digests }),
  };
}

/**
 * What is wrong with a stored entry on its own: the recorded fields whose digest no longer
 * matches (or that appeared or vanished), or `hash` when the digests, sequence number or
 * previous hash no longer give the stored hash. Empty when the entry is intact.
 */
export function changedFields(entry: AuditEntry): string[] {
  const now = digestsOf(entry);
  const recorded = entry.digests ?? {};
  const changed = RECORD_FIELDS.filter((field) => now[field] !== recorded[field]);
  const unknown = Object.keys(recorded).filter(
    (field) => !(RECORD_FIELDS as readonly string[]).includes(field),
  );
  if (changed.length > 0 || unknown.length > 0) return [...changed, ...unknown];
  if (entry.entryId !== `${entry.chain}/${entry.seq}`) return ['entryId'];
  return hashOf(entry) === entry.hash ? [] : ['hash'];
}
