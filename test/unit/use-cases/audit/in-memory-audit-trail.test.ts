import { describe } from 'vitest';
import { auditTrailContract } from '#test/support/audit-trail-contract.ts';
import { createInMemoryAuditTrail } from '#test/support/in-memory-audit-trail.ts';

describe('audit trail (in-memory fake)', () => {
  auditTrailContract(createInMemoryAuditTrail);
});
