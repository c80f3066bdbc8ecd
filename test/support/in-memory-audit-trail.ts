import { queryFingerprint } from '#shared/adapters/aws/dynamodb-audit-trail.ts';
import { chainOf, chainsBetween, genesisHash, sealEntry } from '#shared/domain/audit-chain.ts';
import { ValidationError } from '#shared/domain/errors.ts';
import type { AuditEntry, AuditTrail } from '#shared/ports/audit-trail.ts';

/**
 * An AuditTrail in memory with the DynamoDB adapter's protocol: read the tail, yield (so that
 * concurrent appends interleave as they do over the network), put if the sequence number is free,
 * else retry. `chains` is the store, for tests that tamper with it.
 */
export function createInMemoryAuditTrail(): AuditTrail & { chains: Map<string, Map<number, AuditEntry>> } {
  const chains = new Map<string, Map<number, AuditEntry>>();
  const chainOfName = (name: string) => {
    const chain = chains.get(name) ?? new Map<number, AuditEntry>();
    chains.set(name, chain);
    return chain;
  };
  const tick = () => new Promise((resolve) => setImmediate(resolve));
  const all = () =>
    [...chains.values()]
      .flatMap((chain) => [...chain.values()])
      .sort((a, b) => (a.at === b.at ? a.seq - b.seq : a.at < b.at ? -1 : 1))
      .map((entry) => structuredClone(entry));

  return {
    chains,
    async append(record) {
      const name = chainOf(record.at);
      for (;;) {
        const chain = chainOfName(name);
        const lastSeq = Math.max(0, ...chain.keys());
        const prevHash = chain.get(lastSeq)?.hash ?? genesisHash(name);
        await tick();
        if (chain.has(lastSeq + 1)) continue;
        const entry = sealEntry(structuredClone(record), name, lastSeq + 1, prevHash);
        chain.set(entry.seq, entry);
        return structuredClone(entry);
      }
    },
    async listEntries(query) {
      const fingerprint = queryFingerprint(query);
      let offset = 0;
      if (query.cursor) {
        const [print, position] = query.cursor.split(':');
        offset = Number(position);
        if (print !== fingerprint || !Number.isInteger(offset) || offset < 0) {
          throw new ValidationError('INVALID_CURSOR', 'the cursor belongs to another query');
        }
      }
      const days = new Set(chainsBetween(query.from, query.to));
      const matching = all().filter(
        (entry) =>
          entry.at >= query.from &&
          entry.at <= query.to &&
          days.has(entry.chain) &&
          (!query.actor || entry.actor === query.actor) &&
          (!query.documentId || entry.target.documentId === query.documentId) &&
          (!query.action || entry.action === query.action) &&
          (!query.outcome || entry.outcome === query.outcome),
      );
      const items = matching.slice(offset, offset + query.limit);
      const next = offset + items.length;
      return { items, ...(next < matching.length && { cursor: `${fingerprint}:${next}` }) };
    },
    async readChain(name, options) {
      return [...(chains.get(name)?.values() ?? [])]
        .filter((entry) => entry.seq > options.afterSeq)
        .sort((a, b) => a.seq - b.seq)
        .slice(0, options.limit)
        .map((entry) => structuredClone(entry));
    },
  };
}
