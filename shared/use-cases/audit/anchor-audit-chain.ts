/**
 * Anchors each closed day of the audit trail outside the table: the day's entry count and head
 * hash, signed with the province's key, written once to WORM storage (Object Lock). Someone who
 * can delete items can then no longer cut a day's last entries off, or rewrite a whole day, without
 * the verification noticing: the table's chain no longer ends where its anchor says.
 */
import { createHash } from 'node:crypto';
import { type AuditAnchor, anchorStatement } from '#shared/domain/audit-anchor.ts';
import { ConflictError, ValidationError } from '#shared/domain/errors.ts';
import type { AuditTrail } from '#shared/ports/audit-trail.ts';
import type { Clock, ObjectStore, SignerDirectory } from '#shared/ports.ts';
import { verifyAuditChain } from './verify-audit-chain.ts';

export const AUDIT_ANCHOR_PREFIX = 'audit-anchors/';
export type { AuditAnchor };

export interface AnchorAuditChainDependencies {
  trail: AuditTrail;
  objects: Pick<ObjectStore, 'get' | 'put' | 'list'>;
  signers: SignerDirectory;
  /** The bucket anchors are locked in (the archive bucket). */
  bucket: string;
  /** The agency whose key signs the anchors (the province's own). */
  agencyId: string;
  /** How long an anchor is locked. */
  retentionYears: number;
  clock: Clock;
  /** Days looked back for ones not anchored yet. @default 31 */
  lookBackDays?: number;
}

/** A day whose chain does not verify is not anchored: an operator must look at it first. */
export class AuditChainBrokenError extends Error {
  override readonly name = 'AuditChainBrokenError';
}

const DAY_MS = 24 * 60 * 60 * 1000;
const anchorKey = (chain: string) => `${AUDIT_ANCHOR_PREFIX}${chain}.json`;
/**
 * Reads a day's anchor; undefined when the day was never anchored. Found by listing its exact key
 * (ListBucket on the anchors' prefix), since a read of a missing object is a 403, not a 404,
 * without list rights on the whole bucket.
 */
export async function readAuditAnchor(
  objects: Pick<ObjectStore, 'get' | 'list'>,
  bucket: string,
  chain: string,
): Promise<AuditAnchor | undefined> {
  for await (const object of objects.list(bucket, anchorKey(chain))) {
    if (object.key !== anchorKey(chain)) continue;
    return JSON.parse(new TextDecoder().decode(await objects.get(bucket, object.key))) as AuditAnchor;
  }
  return undefined;
}

export function createAnchorAuditChain(deps: AnchorAuditChainDependencies) {
  /**
   * Anchors one closed day (`YYYY-MM-DD`, UTC; an open day would grow past its anchor). Anchoring it again writes nothing; an anchor that
   * already says something else is a conflict (the trail changed after it was anchored).
   * @throws AuditChainBrokenError when the day's chain does not verify.
   */
  async function anchorDay(chain: string): Promise<AuditAnchor> {
    const today = deps.clock.now().toISOString().slice(0, 10);
    if (!(chain < today)) {
      throw new ValidationError(
        'DAY_NOT_CLOSED',
        `audit chain ${chain} is still open until ${chain} 24:00 UTC`,
      );
    }
    const report = await verifyAuditChain(deps.trail, { from: chain, to: chain });
    if (!report.valid) {
      throw new AuditChainBrokenError(
        `audit chain ${chain} does not verify: ${report.firstProblem?.message}`,
      );
    }
    const walked = report.chains[0] ?? { chain, entries: 0 };
    const existing = await readAuditAnchor(deps.objects, deps.bucket, chain);
    if (existing) {
      if (existing.entries !== walked.entries || existing.headHash !== walked.headHash) {
        throw new ConflictError(
          'AUDIT_ANCHOR_MISMATCH',
          `audit chain ${chain} was anchored with ${existing.entries} entries ending ${existing.headHash}, it now has ${walked.entries} ending ${walked.headHash}`,
        );
      }
      return existing;
    }
    const now = deps.clock.now();
    const body = {
      chain,
      entries: walked.entries,
      ...(walked.headHash ? { headHash: walked.headHash } : {}),
      anchoredAt: now.toISOString(),
    };
    const signer = await deps.signers.forAgency(deps.agencyId);
    const digest = createHash('sha256').update(anchorStatement(body)).digest();
    const anchor: AuditAnchor = {
      ...body,
      signer: {
        agencyId: deps.agencyId,
        algorithm: signer.algorithm(),
        certificate: Buffer.from(await signer.certificate()).toString('base64'),
      },
      signature: Buffer.from(await signer.signDigest(new Uint8Array(digest))).toString('base64'),
    };
    const retainUntil = new Date(now.getTime() + deps.retentionYears * 365.25 * DAY_MS);
    await deps.objects.put(
      deps.bucket,
      anchorKey(chain),
      new TextEncoder().encode(`${JSON.stringify(anchor, null, 2)}\n`),
      {
        contentType: 'application/json',
        retainUntil,
      },
    );
    return anchor;
  }

  /** Anchors every closed day of the look-back window not anchored yet, oldest first. */
  async function anchorClosedDays(): Promise<{ anchored: string[]; alreadyAnchored: number }> {
    const today = deps.clock.now().toISOString().slice(0, 10);
    const lookBack = deps.lookBackDays ?? 31;
    const done = new Set<string>();
    for await (const object of deps.objects.list(deps.bucket, AUDIT_ANCHOR_PREFIX)) {
      done.add(object.key.slice(AUDIT_ANCHOR_PREFIX.length).replace(/\.json$/, ''));
    }
    const anchored: string[] = [];
    let alreadyAnchored = 0;
    for (let back = lookBack; back >= 1; back--) {
      const chain = new Date(Date.parse(`${today}T00:00:00Z`) - back * DAY_MS).toISOString().slice(0, 10);
      if (done.has(chain)) {
        alreadyAnchored += 1;
        continue;
      }
      await anchorDay(chain);
      anchored.push(chain);
    }
    return { anchored, alreadyAnchored };
  }

  return { anchorDay, anchorClosedDays };
}
