import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalSignerDirectory } from '#shared/adapters/signing/local-signer-directory.ts';
import { verifyAuditAnchorSignature } from '#shared/domain/audit-anchor.ts';
import type { SignerDirectory } from '#shared/ports.ts';
import {
  AuditChainBrokenError,
  createAnchorAuditChain,
  readAuditAnchor,
} from '#shared/use-cases/audit/anchor-audit-chain.ts';
import { verifyAuditChain } from '#shared/use-cases/audit/verify-audit-chain.ts';
import { auditRecord } from '#test/support/audit-trail-contract.ts';
import { createInMemoryAuditTrail } from '#test/support/in-memory-audit-trail.ts';
import { createInMemoryObjectStore } from '#test/support/in-memory-ports.ts';

const DAY = '2026-11-22';
const NOW = new Date('2026-11-23T01:00:00.000Z');
const PROVINCE = '000.00.00.H99';

describe('anchoring the audit trail', () => {
  let keysDir: string;
  let signers: SignerDirectory;
  beforeAll(async () => {
    keysDir = await mkdtemp(join(tmpdir(), 'motcua-anchor-keys-'));
    signers = createLocalSignerDirectory({
      directory: keysDir,
      keySpec: 'ECC_NIST_P256',
      identityFor: (agencyId) => ({
        commonName: agencyId,
        organisation: 'Tỉnh Mẫu',
        province: 'Mẫu',
        country: 'VN',
      }),
    });
  });
  afterAll(async () => {
    await rm(keysDir, { recursive: true, force: true });
  });

  async function setUp(entries = 3) {
    const trail = createInMemoryAuditTrail();
    for (let i = 0; i < entries; i++) {
      await trail.append(auditRecord({ at: `${DAY}T0${i + 1}:00:00.000Z` }));
    }
    const objects = createInMemoryObjectStore();
    const anchoring = createAnchorAuditChain({
      trail,
      objects,
      signers,
      bucket: 'archive',
      agencyId: PROVINCE,
      retentionYears: 10,
      clock: { now: () => NOW },
    });
    const anchorOf = (chain: string) => readAuditAnchor(objects, 'archive', chain);
    return { trail, objects, anchoring, anchorOf };
  }

  it("signs a closed day's entry count and head, locks it once, and anchors it again without writing", async () => {
    const { objects, anchoring, anchorOf } = await setUp();
    const anchor = await anchoring.anchorDay(DAY);
    expect(anchor).toMatchObject({ chain: DAY, entries: 3, anchoredAt: NOW.toISOString() });
    expect(anchor.headHash).toMatch(/^[0-9a-f]{64}$/);
    expect(verifyAuditAnchorSignature(anchor)).toBe(true);
    const stored = objects.writes.get(`archive/audit-anchors/${DAY}.json`);
    expect(stored?.retainUntil?.getFullYear()).toBe(2036);
    expect(await anchoring.anchorDay(DAY)).toEqual(anchor);
    expect(await anchorOf(DAY)).toEqual(anchor);
  });

  it('makes verification notice entries cut off after the day was anchored, a rewritten head and a forged anchor', async () => {
    const { trail, anchoring, anchorOf, objects } = await setUp();
    await anchoring.anchorDay(DAY);
    expect(await verifyAuditChain(trail, { from: DAY, to: DAY }, anchorOf)).toMatchObject({
      valid: true,
      chains: [{ chain: DAY, entries: 3, anchored: true }],
    });
    trail.chains.get(DAY)?.delete(3);
    // Without its anchor the shortened day looks whole.
    expect((await verifyAuditChain(trail, { from: DAY, to: DAY })).valid).toBe(true);
    const cut = await verifyAuditChain(trail, { from: DAY, to: DAY }, anchorOf);
    expect(cut.firstProblem).toMatchObject({ kind: 'missing', seq: 3 });
    expect(cut.firstProblem?.message).toContain('removed after the day was anchored');
    await expect(anchoring.anchorDay(DAY)).rejects.toMatchObject({ code: 'AUDIT_ANCHOR_MISMATCH' });

    const anchor = await anchorOf(DAY);
    const forged = { ...anchor, entries: 2, headHash: trail.chains.get(DAY)?.get(2)?.hash };
    objects.writes.set(`archive/audit-anchors/${DAY}.json`, {
      body: new TextEncoder().encode(JSON.stringify(forged)),
    } as never);
    const report = await verifyAuditChain(trail, { from: DAY, to: DAY }, anchorOf);
    expect(report.firstProblem).toMatchObject({ kind: 'anchor' });
  });

  it('anchors every closed day of the look-back window once, and refuses a day whose chain is broken', async () => {
    const { trail, anchoring } = await setUp();
    const first = await anchoring.anchorClosedDays();
    expect(first.anchored).toHaveLength(31);
    expect(first.anchored.at(-1)).toBe(DAY);
    expect(first.anchored[0]).toBe('2026-10-23');
    expect(await anchoring.anchorClosedDays()).toEqual({ anchored: [], alreadyAnchored: 31 });
    await expect(anchoring.anchorDay('2026-11-23')).rejects.toMatchObject({ code: 'DAY_NOT_CLOSED' });

    const broken = await setUp();
    const entry = broken.trail.chains.get(DAY)?.get(2);
    if (entry) entry.actor = 'someone-else';
    await expect(broken.anchoring.anchorDay(DAY)).rejects.toBeInstanceOf(AuditChainBrokenError);
    expect(trail.chains.get(DAY)?.size).toBe(3);
  });
});
