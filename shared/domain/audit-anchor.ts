/**
 * An anchor of one day of the audit trail: what the day's chain held when the day closed, signed
 * by the province's key, kept outside the table (see anchor-audit-chain.ts).
 */
import { canonicalJson } from '#shared/domain/audit-chain.ts';
import { verifyStatementSignature } from '#shared/domain/signed-statement.ts';

export interface AuditAnchor {
  chain: string;
  entries: number;
  headHash?: string;
  anchoredAt: string;
  /** The signing agency, the key's algorithm and certificate (DER, base64). */
  signer: { agencyId: string; algorithm: string; certificate: string };
  /** Over {@link anchorStatement}; base64 (DER for ECDSA). */
  signature: string;
}

/** The bytes an anchor's signature covers: the canonical JSON of what it states. */
export function anchorStatement(
  anchor: Pick<AuditAnchor, 'chain' | 'entries' | 'headHash' | 'anchoredAt'>,
): string {
  return canonicalJson({
    chain: anchor.chain,
    entries: anchor.entries,
    ...(anchor.headHash ? { headHash: anchor.headHash } : {}),
    anchoredAt: anchor.anchoredAt,
  });
}

/** Whether the anchor's signature verifies against the certificate it carries. */
export function verifyAuditAnchorSignature(anchor: AuditAnchor): boolean {
  return verifyStatementSignature(anchorStatement(anchor), anchor.signature, anchor.signer.certificate);
}
