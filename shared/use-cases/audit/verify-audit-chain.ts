import { type AuditAnchor, verifyAuditAnchorSignature } from '#shared/domain/audit-anchor.ts';
import { chainsBetween, changedFields, genesisHash } from '#shared/domain/audit-chain.ts';
import type { AuditTrail } from '#shared/ports/audit-trail.ts';

/** The first thing wrong in the trail. */
export interface AuditChainProblem {
  chain: string;
  /** The entry that is wrong or missing, `{chain}/{seq}`. */
  entryId: string;
  seq: number;
  /**
   * - `changed`: a recorded field no longer matches its digest (`fields` names it), or the
   *   entry's hash no longer matches its content or its successor's `prevHash` (`hash`)
   * - `missing`: no entry has this sequence number, yet a later one exists (or the day's anchor
   *   counted it)
   * - `anchor`: the day's anchor is not signed by the key its certificate names
   */
  kind: 'changed' | 'missing' | 'anchor';
  fields?: string[];
  message: string;
}

/** What verifying a range of the trail found. */
export interface AuditChainReport {
  valid: boolean;
  /** Each chain (UTC day) walked, with its entry count and last hash (the head to anchor). */
  chains: { chain: string; entries: number; headHash?: string; anchored?: boolean }[];
  firstProblem?: AuditChainProblem;
}

const PAGE = 500;

/**
 * Walks every chain (UTC day) from `from` to `to` (days or instants, inclusive) in sequence
 * order and stops at the first broken or missing entry: an entry whose fields no longer match
 * their digests or whose hash no longer matches, a `prevHash` that is not its predecessor's hash
 * (the predecessor was rewritten with a recomputed hash), or a gap in the sequence numbers.
 */
export async function verifyAuditChain(
  trail: AuditTrail,
  range: { from: string; to: string },
  /** The day's anchor, when days are anchored: the chain must still end where it says. */
  anchorOf?: (chain: string) => Promise<AuditAnchor | undefined>,
): Promise<AuditChainReport> {
  const chains: AuditChainReport['chains'] = [];
  for (const chain of chainsBetween(range.from, range.to)) {
    let expected = 1;
    let prevHash = genesisHash(chain);
    const problem = (seq: number, kind: AuditChainProblem['kind'], message: string, fields?: string[]) => ({
      valid: false,
      chains: [...chains, { chain, entries: expected - 1 }],
      firstProblem: { chain, entryId: `${chain}/${seq}`, seq, kind, message, ...(fields && { fields }) },
    });
    for (;;) {
      const page = await trail.readChain(chain, { afterSeq: expected - 1, limit: PAGE });
      for (const entry of page) {
        if (entry.seq !== expected) {
          if (entry.seq > expected) {
            return problem(
              expected,
              'missing',
              `entry ${chain}/${expected} is missing: the chain goes on at ${chain}/${entry.seq}`,
            );
          }
          return problem(expected, 'changed', `entry ${chain}/${expected} carries seq ${entry.seq}`, ['seq']);
        }
        const fields = changedFields(entry);
        if (fields.length > 0) {
          return problem(
            expected,
            'changed',
            `entry ${chain}/${expected} was changed: ${fields.join(', ')} no longer match${fields.length === 1 ? 'es' : ''} what was recorded`,
            fields,
          );
        }
        if (entry.prevHash !== prevHash) {
          return expected === 1
            ? problem(1, 'changed', `entry ${chain}/1 does not start from the day's genesis hash`, [
                'prevHash',
              ])
            : problem(
                expected - 1,
                'changed',
                `entry ${chain}/${expected - 1} was rewritten: its hash is no longer the one entry ${chain}/${expected} chained to`,
                ['hash'],
              );
        }
        prevHash = entry.hash;
        expected++;
      }
      if (page.length < PAGE) break;
    }
    const entries = expected - 1;
    const headHash = entries > 0 ? prevHash : undefined;
    const anchor = await anchorOf?.(chain);
    if (anchor) {
      if (!verifyAuditAnchorSignature(anchor)) {
        return problem(
          anchor.entries,
          'anchor',
          `the anchor of ${chain} does not verify against its certificate`,
        );
      }
      if (anchor.entries > entries) {
        return problem(
          entries + 1,
          'missing',
          `entries ${chain}/${entries + 1} to ${chain}/${anchor.entries} were removed after the day was anchored`,
        );
      }
      if (anchor.entries !== entries || anchor.headHash !== headHash) {
        return problem(
          anchor.entries,
          'changed',
          `the chain of ${chain} no longer ends where its anchor says (${anchor.entries} entries, head ${anchor.headHash ?? 'none'}): the day was rewritten after it was anchored`,
          ['hash'],
        );
      }
    }
    chains.push({
      chain,
      entries,
      ...(headHash && { headHash }),
      ...(anchorOf && { anchored: Boolean(anchor) }),
    });
  }
  return { valid: true, chains };
}
